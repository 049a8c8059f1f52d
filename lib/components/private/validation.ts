/**
 * Construction-time validation shared by the components: each construct collects every problem with its
 * props and throws one {@link ComponentPropsError} listing them all.
 */
import * as ipaddr from 'ipaddr.js';

/** Thrown by a component constructor when its props are invalid; `problems` lists every one. */
export class ComponentPropsError extends Error {
  constructor(
    readonly component: string,
    readonly problems: readonly string[],
  ) {
    super(`${component}: invalid props:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ComponentPropsError';
  }
}

/** Throws {@link ComponentPropsError} when any problem was found. */
export function throwIfProblems(component: string, problems: readonly (string | undefined)[]): void {
  const found = problems.filter((p): p is string => p !== undefined);
  if (found.length) throw new ComponentPropsError(component, found);
}

/** `prop: message, got <value>` */
export function problem(prop: string, value: unknown, expected: string): string {
  return `${prop}: ${expected}, got ${JSON.stringify(value)}`;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** RFC 1123 label (namespaces, Service names). */
export function checkDnsLabel(prop: string, value: string): string | undefined {
  return DNS_LABEL.test(value) && value.length <= 63
    ? undefined
    : problem(prop, value, 'must be a lowercase RFC 1123 label (a-z, 0-9, "-", at most 63 characters), e.g. "my-name"');
}

/** RFC 1123 subdomain (most object names). */
export function checkDnsSubdomain(prop: string, value: string): string | undefined {
  return DNS_SUBDOMAIN.test(value) && value.length <= 253
    ? undefined
    : problem(prop, value, 'must be a lowercase RFC 1123 subdomain (a-z, 0-9, "-", "."), e.g. "my-name"');
}

export function isIpv4(value: string): boolean {
  return ipaddr.IPv4.isValidFourPartDecimal(value);
}

export function checkIpv4(prop: string, value: string): string | undefined {
  return isIpv4(value) ? undefined : problem(prop, value, 'must be an IPv4 address such as "192.168.100.240"');
}

/** `a.b.c.d/n` with no host bits set. */
export function isIpv4Cidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split('/');
  if (rest.length || prefix === undefined || !isIpv4(address) || !/^\d{1,2}$/.test(prefix) || Number(prefix) > 32) return false;
  const bits = Number(prefix);
  const int = ipToInt(address);
  const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
  return (int & mask) >>> 0 === int;
}

export function checkIpv4Cidr(prop: string, value: string): string | undefined {
  return isIpv4Cidr(value) ? undefined : problem(prop, value, 'must be an IPv4 CIDR with no host bits set, such as "10.244.0.0/16"');
}

export function ipToInt(value: string): number {
  return value.split('.').reduce((acc, octet) => ((acc << 8) | Number(octet)) >>> 0, 0);
}

/** Inclusive integer range of a CIDR or a `first-last` range; undefined when the text is neither. */
export function addressRange(value: string): { first: number; last: number } | undefined {
  if (value.includes('/')) {
    if (!isIpv4Cidr(value)) return undefined;
    const [address, prefix] = value.split('/');
    const first = ipToInt(address);
    return { first, last: first + 2 ** (32 - Number(prefix)) - 1 };
  }
  const parts = value.split('-');
  if (parts.length !== 2 || !isIpv4(parts[0]) || !isIpv4(parts[1])) return undefined;
  const [first, last] = parts.map(ipToInt);
  return first <= last ? { first, last } : undefined;
}

export function checkPort(prop: string, value: number): string | undefined {
  return Number.isInteger(value) && value >= 1 && value <= 65535 ? undefined : problem(prop, value, 'must be a port number from 1 to 65535');
}

export function checkInteger(prop: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): string | undefined {
  return Number.isInteger(value) && value >= min && value <= max
    ? undefined
    : problem(prop, value, max === Number.MAX_SAFE_INTEGER ? `must be an integer >= ${min}` : `must be an integer from ${min} to ${max}`);
}

export function checkOneOf<T extends string>(prop: string, value: T, allowed: readonly T[]): string | undefined {
  return allowed.includes(value) ? undefined : problem(prop, value, `must be one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
}

/** Problems for names that occur more than once. */
export function checkUnique(prop: string, values: readonly string[]): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const value of values) (seen.has(value) ? duplicates : seen).add(value);
  return [...duplicates].sort().map((d) => `${prop}: ${JSON.stringify(d)} occurs more than once; names must be unique`);
}

const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

/** Problems of a label map: keys `[prefix/]name` (prefix a DNS subdomain), values empty or up to 63 characters of [-A-Za-z0-9_.]. */
export function checkLabels(prop: string, labels: Readonly<Record<string, string>> | undefined): string[] {
  if (labels === undefined) return [];
  if (labels === null || typeof labels !== 'object' || Array.isArray(labels)) return [problem(prop, labels, 'must be a map of label keys to values')];
  return Object.entries(labels).flatMap(([key, value]) => {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = key.slice(slash + 1);
    const keyValid = LABEL_NAME.test(name) && name.length <= 63 && (prefix === undefined || (DNS_SUBDOMAIN.test(prefix) && prefix.length <= 253));
    const valueValid = typeof value === 'string' && value.length <= 63 && (value === '' || LABEL_NAME.test(value));
    return [
      keyValid
        ? undefined
        : problem(
            prop,
            key,
            'keys must be [prefix/]name (name: up to 63 of a-z, A-Z, 0-9, "-", "_", "."; prefix: a DNS subdomain), e.g. "app.kubernetes.io/name"',
          ),
      valueValid ? undefined : problem(`${prop}.${key}`, value, 'must be empty or up to 63 of a-z, A-Z, 0-9, "-", "_", ".", starting and ending alphanumeric'),
    ].filter((p): p is string => p !== undefined);
  });
}
