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

  /** Any intervals: sorted, merged where they overlap or touch, empty ones dropped. */
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

  /**
   * Intervals already in that form (sorted, disjoint, none touching the next, none empty), as intersect and
   * complement make them from sets in that form: taken as they are (the flow check builds many sets).
   */
  private static normalized(intervals: readonly Interval[]): AddressSet {
    const set: AddressSet = Object.create(AddressSet.prototype);
    (set as { intervals: readonly Interval[] }).intervals = intervals;
    return set;
  }

  get isEmpty(): boolean {
    return this.intervals.length === 0;
  }

  union(other: AddressSet): AddressSet {
    return new AddressSet([...this.intervals, ...other.intervals]);
  }

  /** Linear sweep over both sorted interval lists. */
  intersect(other: AddressSet): AddressSet {
    const out: Interval[] = [];
    const a = this.intervals;
    const b = other.intervals;
    let i = 0;
    let j = 0;
    while (i < a.length && j < b.length) {
      const lo = Math.max(a[i][0], b[j][0]);
      const hi = Math.min(a[i][1], b[j][1]);
      if (lo <= hi) out.push([lo, hi]);
      if (a[i][1] < b[j][1]) i++;
      else j++;
    }
    return AddressSet.normalized(out);
  }

  minus(other: AddressSet): AddressSet {
    return this.intersect(other.complement());
  }

  complement(): AddressSet {
    const out: Interval[] = [];
    let next = 0;
    for (const [a, b] of this.intervals) {
      if (a > next) out.push([next, a - 1]);
      next = b + 1;
    }
    if (next <= 0xffffffff) out.push([next, 0xffffffff]);
    return AddressSet.normalized(out);
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
