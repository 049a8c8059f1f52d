/**
 * Sets of IPv4 addresses as sorted, disjoint, inclusive integer intervals: exact set algebra for "which
 * source addresses does this rule admit".
 */
import { intToIp, ipToInt, isIpv4, parseCidr } from '../model/ip';

export type Interval = readonly [number, number];

export class AddressSet {
  static readonly EMPTY = new AddressSet([]);
  static readonly ALL = new AddressSet([[0, 0xffffffff]]);

  /** An address, a CIDR, or (throws) anything else. */
  static of(cidrOrAddress: string): AddressSet {
    if (isIpv4(cidrOrAddress)) {
      const v = ipToInt(cidrOrAddress);
      return new AddressSet([[v, v]]);
    }
    const range = parseCidr(cidrOrAddress);
    if (!range) throw new Error(`not an IPv4 address or CIDR: ${JSON.stringify(cidrOrAddress)}`);
    return new AddressSet([[range.first, range.last]]);
  }

  static union(sets: readonly AddressSet[]): AddressSet {
    return new AddressSet(sets.flatMap((s) => s.intervals));
  }

  static addresses(values: readonly number[]): AddressSet {
    return new AddressSet(values.map((v) => [v, v] as const));
  }

  readonly intervals: readonly Interval[];

  constructor(intervals: readonly Interval[]) {
    const sorted = [...intervals].filter(([a, b]) => a <= b).sort((x, y) => x[0] - y[0]);
    const merged: [number, number][] = [];
    for (const [a, b] of sorted) {
      const last = merged[merged.length - 1];
      if (last && a <= last[1] + 1) last[1] = Math.max(last[1], b);
      else merged.push([a, b]);
    }
    this.intervals = merged;
  }

  get isEmpty(): boolean {
    return this.intervals.length === 0;
  }

  union(other: AddressSet): AddressSet {
    return new AddressSet([...this.intervals, ...other.intervals]);
  }

  intersect(other: AddressSet): AddressSet {
    const out: Interval[] = [];
    for (const [a, b] of this.intervals) for (const [c, d] of other.intervals) if (Math.max(a, c) <= Math.min(b, d)) out.push([Math.max(a, c), Math.min(b, d)]);
    return new AddressSet(out);
  }

  minus(other: AddressSet): AddressSet {
    let current: Interval[] = [...this.intervals];
    for (const [c, d] of other.intervals) {
      current = current.flatMap(([a, b]): Interval[] => {
        if (d < a || c > b) return [[a, b]];
        return [...(a < c ? [[a, c - 1] as const] : []), ...(d < b ? [[d + 1, b] as const] : [])];
      });
    }
    return new AddressSet(current);
  }

  covers(other: AddressSet): boolean {
    return other.minus(this).isEmpty;
  }

  /** The lowest address, for messages. */
  first(): string | undefined {
    return this.intervals.length ? intToIp(this.intervals[0][0]) : undefined;
  }

  /** Readable: up to `limit` intervals as addresses or ranges. */
  describe(limit = 3): string {
    if (this.isEmpty) return 'no address';
    const parts = this.intervals.slice(0, limit).map(([a, b]) => (a === b ? intToIp(a) : `${intToIp(a)}-${intToIp(b)}`));
    return parts.join(', ') + (this.intervals.length > limit ? `, … (${this.intervals.length} ranges)` : '');
  }
}
