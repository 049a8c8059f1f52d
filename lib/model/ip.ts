/**
 * IPv4 arithmetic on top of ipaddr.js: parsing, CIDR and range containment, overlap.
 * Addresses are handled as unsigned 32-bit integers; ranges are inclusive [first, last].
 */
import * as ipaddr from 'ipaddr.js';

export interface Ipv4Range {
  readonly first: number;
  readonly last: number;
}

/**
 * `compute(text)`, remembered per text: a render parses the same few addresses and CIDRs thousands of times
 * (the flow check evaluates every flow against every policy), and ipaddr.js parses with regular expressions.
 * The values are immutable; a cache that grows past {@link MEMO_LIMIT} entries starts again (a long-running
 * process rendering many descriptions).
 */
function memo<T>(compute: (text: string) => T): (text: string) => T {
  const cache = new Map<string, T>();
  return (text) => {
    const known = cache.get(text);
    if (known !== undefined || cache.has(text)) return known as T;
    if (cache.size >= MEMO_LIMIT) cache.clear();
    const value = compute(text);
    cache.set(text, value);
    return value;
  };
}
const MEMO_LIMIT = 10_000;

export const isIpv4: (text: string) => boolean = memo((text) => ipaddr.IPv4.isValidFourPartDecimal(text));

/** The address as an unsigned 32-bit integer; throws when `text` is not an IPv4 address (not remembered). */
export const ipToInt: (text: string) => number = memo((text) => {
  const bytes = ipaddr.IPv4.parse(text).toByteArray();
  return ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
});

export function intToIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => (value >>> shift) & 255).join('.');
}

/** Parses `a.b.c.d/n`; returns undefined when it is not a valid IPv4 CIDR. */
export const parseCidr: (text: string) => Ipv4Range | undefined = memo((text) => {
  try {
    const [addr, prefix] = ipaddr.IPv4.parseCIDR(text);
    if (!isIpv4(text.split('/')[0])) return undefined;
    const size = 2 ** (32 - prefix);
    const first = Math.floor(ipToInt(addr.toString()) / size) * size;
    return Object.freeze({ first, last: first + size - 1 });
  } catch {
    return undefined;
  }
});

/** True when `text` is a CIDR whose address is the network address (no host bits set). */
export function isCanonicalCidr(text: string): boolean {
  const range = parseCidr(text);
  return range !== undefined && ipToInt(text.split('/')[0]) === range.first;
}

/** Parses a MetalLB address entry: a CIDR or an inclusive `start-end` range. */
export function parseAddressRange(text: string): Ipv4Range | undefined {
  if (text.includes('/')) return parseCidr(text);
  const parts = text.split('-').map((p) => p.trim());
  if (parts.length !== 2 || !isIpv4(parts[0]) || !isIpv4(parts[1])) return undefined;
  const first = ipToInt(parts[0]);
  const last = ipToInt(parts[1]);
  return first <= last ? { first, last } : undefined;
}

export function rangeContainsIp(range: Ipv4Range, ip: string): boolean {
  const value = ipToInt(ip);
  return value >= range.first && value <= range.last;
}

export function rangeContainsRange(outer: Ipv4Range, inner: Ipv4Range): boolean {
  return inner.first >= outer.first && inner.last <= outer.last;
}

export function rangesOverlap(a: Ipv4Range, b: Ipv4Range): boolean {
  return a.first <= b.last && b.first <= a.last;
}

export function formatRange(range: Ipv4Range): string {
  return `${intToIp(range.first)}-${intToIp(range.last)}`;
}
