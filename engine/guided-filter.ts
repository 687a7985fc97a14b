import { claim, f32s, f64s, kernels } from './wasm-kernels';

// The math runs in wasm/guided.ts (double precision); these functions copy their planes (of
// exactly h x w values) into the kernels' memory and the results out.

/** Guided filter radius in network pixels, from the manifest's fraction of the long side. */
export function guideRadius(height: number, width: number, radiusFraction: number): number {
  return Math.max(1, Math.floor(radiusFraction * Math.max(height, width) + 0.5));
}

/** Lays out the kernels' memory for the guided filter's calls (each call lays it out afresh). */
const OWNER = {};

/** Luma of a planar RGB image (3 x h x w), the guided filter's guide. */
export function planarLuma(rgb: Float32Array, h: number, w: number): Float64Array {
  const n = h * w;
  const [src, out] = claim(OWNER, [3 * n * 4, n * 8]);
  f32s(src, 3 * n).set(rgb.subarray(0, 3 * n));
  kernels().planarLuma(src, n, out);
  return f64s(out, n).slice();
}

/** Mean over (2r+1)^2 windows clipped at the borders (divided by the pixels inside). */
export function boxMean(src: ArrayLike<number>, h: number, w: number, r: number): Float64Array {
  const n = h * w;
  const k = kernels();
  const [from, out, scratch] = claim(OWNER, [n * 8, n * 8, k.boxScratchBytes(h, w)]);
  f64s(from, n).set(src);
  k.boxMean(from, h, w, r, out, scratch);
  return f64s(out, n).slice();
}

/** Where the filter left its planes in the kernels' memory (offsets of n doubles each). */
interface GuidedPlanes {
  a: number;
  b: number;
  meanG: number;
  varG: number;
  meanT: number;
}

/** Runs the filter in the kernels' memory; the planes are valid until the memory is claimed again. */
function runGuided(guide: ArrayLike<number>, t: ArrayLike<number>, h: number, w: number, r: number, eps: number): GuidedPlanes {
  const n = h * w;
  const k = kernels();
  const bytes = n * 8;
  const self = guide === t;
  const [g, tt, a, b, meanG, varG, meanT, scratch] = claim(OWNER, [bytes, self ? 0 : bytes, bytes, bytes, bytes, bytes, bytes, k.guidedScratchBytes(h, w)]);
  f64s(g, n).set(guide);
  if (!self) f64s(tt, n).set(t);
  k.guidedCoefficients(g, self ? g : tt, h, w, r, eps, a, b, meanG, varG, meanT, scratch);
  return { a, b, meanG, varG, meanT };
}

/**
 * Fast guided filter coefficients at network size: a = cov(g,t)/(var(g)+eps), b = mean(t) -
 * a mean(g), both box-averaged, so that t_full = A * luma_full + B after upsampling. Passing the
 * same plane as guide and t filters it with itself (the detail base layer).
 */
export function guidedCoefficients(
  guide: ArrayLike<number>,
  t: ArrayLike<number>,
  h: number,
  w: number,
  r: number,
  eps: number,
): { a: Float64Array; b: Float64Array; meanGuide: Float64Array; varGuide: Float64Array; meanT: Float64Array } {
  const n = h * w;
  const at = runGuided(guide, t, h, w, r, eps);
  return {
    a: f64s(at.a, n).slice(),
    b: f64s(at.b, n).slice(),
    meanGuide: f64s(at.meanG, n).slice(),
    varGuide: f64s(at.varG, n).slice(),
    meanT: f64s(at.meanT, n).slice(),
  };
}

/**
 * The coefficients of a plane guiding itself (the detail base layer), as float32 into a and b at
 * `offset`: only what the render reads is copied out.
 */
export function selfGuidedCoefficients(plane: Float32Array, h: number, w: number, r: number, eps: number, a: Float32Array, b: Float32Array, offset: number): void {
  const n = h * w;
  const at = runGuided(plane, plane, h, w, r, eps);
  a.set(f64s(at.a, n), offset);
  b.set(f64s(at.b, n), offset);
}
