import { boxMean } from './guided-filter';
import { LUMA_B, LUMA_G, LUMA_R } from './luma';

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
  return new Float32Array(boxMean(raw, h, w, r));
}

/**
 * Median optical depth -ln t: the distance slider pivots around the middle of the scene.
 * Depth falls as t rises, so the middle depths are the depths of the middle t values: those are
 * found by selection on a copy of t (no sort, no float64 copy of the plane).
 */
export function medianDepth(t: Float32Array): number {
  const n = t.length;
  if (n === 0) return Math.max(0.05, NaN);
  const v = t.slice();
  // NaN would break the selection; as the largest depth it sorted last, like t = 0 does.
  for (let i = 0; i < n; i++) if (v[i] !== v[i]) v[i] = 0;
  const mid = n >> 1;
  select(v, mid);
  const depth = (x: number): number => -Math.log(Math.min(1, Math.max(1e-4, x)));
  let median: number;
  if (n % 2) median = depth(v[mid]);
  else {
    // After selection everything below mid is <= v[mid]: its largest is the other middle value.
    let below = v[0];
    for (let i = 1; i < mid; i++) if (v[i] > below) below = v[i];
    median = 0.5 * (depth(v[mid]) + depth(below));
  }
  return Math.max(0.05, median);
}

/** Rearranges `a` so that a[k] is its k-th smallest value, smaller ones before it (Hoare's select). */
function select(a: Float32Array, k: number): void {
  let lo = 0;
  let hi = a.length - 1;
  while (hi > lo) {
    const pivot = a[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i] < pivot) i++;
      while (a[j] > pivot) j--;
      if (i <= j) {
        const tmp = a[i];
        a[i] = a[j];
        a[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return;
  }
}
