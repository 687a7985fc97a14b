/**
 * What the render and the haze map should give, in double precision, written plainly from the
 * pure slider functions of engine/adjustments.ts, one pixel at a time: the estimate's planes
 * interpolated bilinearly at the render's taps (engine/bilinear.ts); t = clamp(a luma + b)
 * through distance and strength; beyond strength 100 the depth scaling, bounded by the shadow
 * bound; the base layer B; J from the scattering model with protect on its colour only (or, below
 * strength 0, haze added); then exposure. Slow and simple: tests hold the WebAssembly kernel
 * (wasm/dehaze.ts) to it.
 */
import {
  clampAdjustments,
  distanceCurve,
  exposureCurve,
  lumaKept,
  protectTransmission,
  shadowBound,
  strengthTransmission,
} from '../../engine/adjustments';
import { bilinearTaps } from '../../engine/bilinear';
import { LUMA_B, LUMA_G, LUMA_R } from '../../engine/luma';
import { maxSample } from '../../engine/pixel-format';
import type { Adjustments, HazeEstimate, ImageBuffer, ModelManifest, Region } from '../../engine/types';

export interface Expected {
  /** The output samples, unrounded (alpha as the input's). */
  rendered: Float64Array;
  /** The transmission after the sliders of each pixel (the luma's: the haze map's). */
  t: Float64Array;
}

const luma = (v: readonly number[]): number => LUMA_R * v[0] + LUMA_G * v[1] + LUMA_B * v[2];

export function expectedRender(image: ImageBuffer, est: HazeEstimate, manifest: ModelManifest, adjustments: Adjustments, region?: Region): Expected {
  const { width, height, channels } = image;
  const full = region ?? { left: 0, top: 0, fullWidth: width, fullHeight: height };
  const nw = est.netWidth;
  const nh = est.netHeight;
  const cols = bilinearTaps(nw, full.fullWidth, full.left, width);
  const rows = bilinearTaps(nh, full.fullHeight, full.top, height);
  const adj = clampAdjustments(adjustments);
  const src = image.data;
  const max = maxSample(src);
  const A = est.airlight;
  const t0 = manifest.reconstruction.t0;
  const rendered = new Float64Array(width * height * channels);
  const transmission = new Float64Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      // The estimate's planes at this pixel.
      const at = (plane: Float32Array, offset = 0): number => {
        const top = (1 - cols.w1[x]) * plane[offset + rows.i0[y] * nw + cols.i0[x]] + cols.w1[x] * plane[offset + rows.i0[y] * nw + cols.i1[x]];
        const bottom = (1 - cols.w1[x]) * plane[offset + rows.i1[y] * nw + cols.i0[x]] + cols.w1[x] * plane[offset + rows.i1[y] * nw + cols.i1[x]];
        return (1 - rows.w1[y]) * top + rows.w1[y] * bottom;
      };
      const p = (y * width + x) * channels;
      const I = [0, 1, 2].map((c) => src[p + c] / max);
      const { detailA, detailB } = est;
      const B = detailA === null || detailB === null ? I : I.map((v, c) => at(detailA, c * nw * nh) * v + at(detailB, c * nw * nh));
      let J = I;
      let t = 1;
      if (adj.strength !== 0) {
        const t100 = strengthTransmission(distanceCurve(Math.min(1, Math.max(0, at(est.coefA) * luma(I) + at(est.coefB))), adj.distance, est.depthPivot), Math.min(adj.strength, 100));
        t = adj.strength > 100 ? Math.max(strengthTransmission(t100, adj.strength), shadowBound(t100, luma(B), luma(A), lumaKept(adj.strength))) : t100;
        const mask = at(est.protectMask);
        if (adj.strength > 0) {
          const D = B.map((v, c) => v - A[c]);
          const s = 1 / Math.max(t, t0) - 1;
          const sp = 1 / Math.max(protectTransmission(t, adj.protect, mask), t0) - 1;
          J = I.map((v, c) => v + D[c] * sp + luma(D) * (s - sp));
        } else {
          const u = 1 - t;
          const up = 1 - protectTransmission(t, adj.protect, mask);
          const d = I.map((v, c) => A[c] - v);
          J = I.map((v, c) => v + d[c] * up + luma(d) * (u - up));
        }
      }
      transmission[y * width + x] = t;
      for (let c = 0; c < 3; c++) rendered[p + c] = exposureCurve(Math.min(1, Math.max(0, J[c])), adj.exposure) * max;
      if (channels === 4) rendered[p + 3] = src[p + 3];
    }
  }
  return { rendered, t: transmission };
}
