/**
 * The distance slider's pivot, the median optical depth of t (engine/protect-mask.ts
 * medianDepth, selected in WebAssembly), against a sort of t.
 */
import { describe, expect, it } from 'vitest';
import { medianDepth } from '../../engine/protect-mask';
import { mulberry32 } from './engine-fixtures';

const depth = (t: number): number => -Math.log(Math.min(1, Math.max(1e-4, t)));

/** The median depth by sorting (NaN counts as t = 0), floored at 0.05 as the pivot is. */
function sortedMedianDepth(t: Float32Array): number {
  const v = Array.from(t, (x) => (Number.isNaN(x) ? 0 : x)).sort((a, b) => a - b);
  const mid = v.length >> 1;
  const m = v.length % 2 ? depth(v[mid]) : 0.5 * (depth(v[mid - 1]) + depth(v[mid]));
  return Math.max(0.05, m);
}

describe('medianDepth', () => {
  it('is the median of -ln t, for odd and even counts, repeated values and NaN', () => {
    const rnd = mulberry32(5);
    for (const n of [1, 2, 3, 4, 7, 10, 101, 1000, 49152, 49153]) {
      const smooth = Float32Array.from({ length: n }, () => 0.02 + 0.9 * rnd());
      // Few distinct values: the selection's equal-to-pivot paths.
      const steps = Float32Array.from({ length: n }, () => Math.floor(rnd() * 4) / 4);
      const holes = smooth.map((x, i) => (i % 7 === 3 ? NaN : x));
      for (const t of [smooth, steps, holes]) {
        const copy = t.slice();
        expect(medianDepth(t), `n ${n}`).toBeCloseTo(sortedMedianDepth(t), 12);
        // t itself is left as it was (the selection works on a copy).
        expect(Array.from(t)).toEqual(Array.from(copy));
      }
    }
  });

  it('keeps the pivot at 0.05 or more for a clear scene', () => {
    expect(medianDepth(new Float32Array(100).fill(1))).toBe(0.05);
  });
});
