import { boxMean } from './guided-filter.js';
import { LUMA_B, LUMA_G, LUMA_R } from './luma.js';

function smoothstep(lo: number, hi: number, x: number): number {
  const u = Math.min(1, Math.max(0, (x - lo) / (hi - lo)));
  return u * u * (3 - 2 * u);
}

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
  const lumaA = Math.max(1e-3, LUMA_R * airlight[0] + LUMA_G * airlight[1] + LUMA_B * airlight[2]);
  const raw = new Float64Array(h * w);
  for (let i = 0; i < h * w; i++) {
    const bright = smoothstep(0.6, 0.9, meanGuide[i] / lumaA);
    const flat = 1 - smoothstep(0.008, 0.04, Math.sqrt(Math.max(0, varGuide[i])));
    raw[i] = bright * flat;
  }
  return Float32Array.from(boxMean(raw, h, w, r));
}

/** Median optical depth -ln t: the distance slider pivots around the middle of the scene. */
export function medianDepth(t: Float32Array): number {
  const d = Float64Array.from(t, (v) => -Math.log(Math.min(1, Math.max(1e-4, v))));
  d.sort();
  const mid = d.length >> 1;
  const median = d.length % 2 ? d[mid] : 0.5 * (d[mid - 1] + d[mid]);
  return Math.max(0.05, median);
}
