import { LUMA_B, LUMA_G, LUMA_R } from './luma';

/** Guided filter radius in network pixels, from the manifest's fraction of the long side. */
export function guideRadius(height: number, width: number, radiusFraction: number): number {
  return Math.max(1, Math.floor(radiusFraction * Math.max(height, width) + 0.5));
}

/** Luma of a planar RGB image (3 x h x w). */
export function planarLuma(rgb: Float32Array, h: number, w: number): Float64Array {
  const n = h * w;
  const g = new Float64Array(n);
  for (let i = 0; i < n; i++) g[i] = LUMA_R * rgb[i] + LUMA_G * rgb[n + i] + LUMA_B * rgb[2 * n + i];
  return g;
}

/**
 * Mean over (2r+1)^2 windows clipped at the borders (divided by the pixels inside). Both passes
 * walk memory row by row (the vertical one keeps a prefix table of whole rows), which is several
 * times faster than a column walk with a stride of a whole row.
 */
export function boxMean(src: ArrayLike<number>, h: number, w: number, r: number): Float64Array {
  const n = h * w;
  const out = new Float64Array(n);
  if (r <= 0) {
    for (let i = 0; i < n; i++) out[i] = src[i];
    return out;
  }
  const prefix = new Float64Array(w + 1);
  // Rows of the horizontal result, one leading row of zeros: the vertical prefix sums.
  const colPrefix = new Float64Array(n + w);
  for (let y = 0; y < h; y++) {
    const base = y * w;
    for (let x = 0; x < w; x++) prefix[x + 1] = prefix[x] + src[base + x];
    const up = base;
    const row = base + w;
    for (let x = 0; x < w; x++) {
      const lo = x - r > 0 ? x - r : 0;
      const hi = x + r + 1 < w ? x + r + 1 : w;
      colPrefix[row + x] = colPrefix[up + x] + (prefix[hi] - prefix[lo]) / (hi - lo);
    }
  }
  for (let y = 0; y < h; y++) {
    const lo = y - r > 0 ? y - r : 0;
    const hi = y + r + 1 < h ? y + r + 1 : h;
    const count = hi - lo;
    const top = lo * w;
    const bottom = hi * w;
    const base = y * w;
    for (let x = 0; x < w; x++) out[base + x] = (colPrefix[bottom + x] - colPrefix[top + x]) / count;
  }
  return out;
}

/**
 * Fast guided filter coefficients at network size: a = cov(g,t)/(var(g)+eps), b = mean(t) -
 * a mean(g), both box-averaged, so that t_full = A * luma_full + B after upsampling.
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
  // Self-guided (the detail base layer: guide === t) needs two box means, not four.
  const self = guide === t;
  const gt = self ? null : new Float64Array(n);
  const gg = new Float64Array(n);
  for (let i = 0; i < n; i++) gg[i] = guide[i] * guide[i];
  if (gt !== null) for (let i = 0; i < n; i++) gt[i] = guide[i] * t[i];
  const meanG = boxMean(guide, h, w, r);
  const meanT = self ? meanG : boxMean(t, h, w, r);
  const meanGG = boxMean(gg, h, w, r);
  const meanGT = gt === null ? meanGG : boxMean(gt, h, w, r);
  const a = new Float64Array(n);
  const b = new Float64Array(n);
  const varG = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const cov = meanGT[i] - meanG[i] * meanT[i];
    varG[i] = meanGG[i] - meanG[i] * meanG[i];
    a[i] = cov / (varG[i] + eps);
    b[i] = meanT[i] - a[i] * meanG[i];
  }
  return { a: boxMean(a, h, w, r), b: boxMean(b, h, w, r), meanGuide: meanG, varGuide: varG, meanT };
}
