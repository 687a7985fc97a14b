import { lumaOf } from './luma';
import { claim, f32s, f64s, kernels } from './wasm-kernels';

// The math runs in wasm/guided.ts; these functions copy their planes (of exactly h x w values) in
// and the results out.

/** Lays out the kernels' memory for these calls (each call lays it out afresh). */
const OWNER = {};

/**
 * Where the protect slider acts (0..1, network size): bright relative to the airlight and
 * locally flat, i.e. sky and haze veils, where dividing by a small t amplifies noise, JPEG
 * blocks and banding and shifts colours. Smoothed by one more box so its edges stay soft.
 */
export function protectMask(
  meanGuide: ArrayLike<number>,
  varGuide: ArrayLike<number>,
  airlight: readonly [number, number, number],
  h: number,
  w: number,
  r: number,
): Float32Array {
  const n = h * w;
  const k = kernels();
  const lumaA = Math.max(1e-3, lumaOf(airlight));
  const [mg, vg, out, scratch] = claim(OWNER, [n * 8, n * 8, n * 8, n * 8 + k.boxScratchBytes(h, w)]);
  f64s(mg, n).set(meanGuide);
  f64s(vg, n).set(varGuide);
  k.protectMask(mg, vg, lumaA, h, w, r, out, scratch);
  return new Float32Array(f64s(out, n));
}

/**
 * Median optical depth -ln t: the distance slider pivots around the middle of the scene.
 * Depth falls as t rises, so the middle depths are the depths of the middle t values: those are
 * found by selection on a copy of t (no sort, no float64 copy of the plane).
 */
export function medianDepth(t: Float32Array): number {
  const n = t.length;
  if (n === 0) return Math.max(0.05, NaN);
  const k = kernels();
  const [v] = claim(OWNER, [n * 4]);
  f32s(v, n).set(t);
  const mid = n >> 1;
  const depth = (x: number): number => -Math.log(Math.min(1, Math.max(1e-4, x)));
  // After selection everything below mid is no larger than the middle value: its largest is the
  // other middle value of an even count.
  const middle = k.select(v, n, mid);
  const median = n % 2 ? depth(middle) : 0.5 * (depth(middle) + depth(k.largest(v, mid)));
  return Math.max(0.05, median);
}
