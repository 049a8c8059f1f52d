/**
 * AddressSet keeps its intervals sorted, disjoint and apart (none touching the next); intersect and complement
 * hand theirs over without normalizing again, which holds only if they always produce that form.
 */
import { describe, expect, it } from 'vitest';
import { AddressSet, type Interval } from '../../lib/flows/addresses';

describe('AddressSet', () => {
  it('intersect, complement and minus give sets already in normal form, with the right members (3,000 generated pairs)', () => {
    let seed = 11;
    const next = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 8) % n;
    const randomSet = () => {
      const intervals: Interval[] = [];
      for (let k = next(6); k > 0; k--) {
        const a = next(64);
        intervals.push([a, a + next(12) - 2]); // some empty, some touching or overlapping
      }
      if (next(10) === 0) intervals.push([0xfffffff0, 0xffffffff]);
      return new AddressSet(intervals);
    };
    const members = (set: AddressSet) =>
      new Set(set.intervals.filter(([a]) => a < 100).flatMap(([a, b]) => Array.from({ length: Math.min(b, 99) - a + 1 }, (_, i) => a + i)));
    const normal = (set: AddressSet) => JSON.stringify(new AddressSet(set.intervals).intervals) === JSON.stringify(set.intervals);
    const wrong: string[] = [];
    for (let n = 0; n < 3000; n++) {
      const [x, y] = [randomSet(), randomSet()];
      const both = x.intersect(y);
      const notX = x.complement();
      const xNotY = x.minus(y);
      const at = `${JSON.stringify(x.intervals)} and ${JSON.stringify(y.intervals)}`;
      if (![both, notX, xNotY].every(normal)) wrong.push(`not in normal form: ${at}`);
      const [mx, my, mBoth, mNotX, mXNotY] = [x, y, both, notX, xNotY].map(members);
      for (let v = 0; v < 100; v++) {
        if (mBoth.has(v) !== (mx.has(v) && my.has(v)) || mNotX.has(v) !== !mx.has(v) || mXNotY.has(v) !== (mx.has(v) && !my.has(v))) wrong.push(`${v}: ${at}`);
      }
    }
    expect(wrong.slice(0, 5)).toEqual([]);
  });

  it('normalizes what it is given: sorted, merged where touching or overlapping, empty intervals dropped', () => {
    expect(
      new AddressSet([
        [5, 9],
        [0, 3],
        [4, 4],
        [20, 19],
        [12, 15],
        [14, 30],
      ]).intervals,
    ).toEqual([
      [0, 9],
      [12, 30],
    ]);
  });
});
