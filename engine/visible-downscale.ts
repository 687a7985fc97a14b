/**
 * The network input of a photo with transparency: what shows of it. The colour under a clear
 * pixel is anything at all (black, white, whatever an editor left there), and averaged in with
 * the rest it changes the haze the network sees: a cut-out laid on black reads as a clear scene,
 * one on white as fog. Each bin here is the mean of its pixels weighed by their alpha, and a bin
 * with no opacity at all takes the colour of the nearest bin that has some.
 */
import { columnBins, poolRange } from './area-downscale';
import { maxSample } from './pixel-format';
import type { ImageBuffer } from './types';

/**
 * Rows [rowStart, rowEnd) of the downscale of the RGBA `image` into `out` (planar RGB, 3 x
 * outHeight x outWidth), each bin its alpha-weighted mean colour; bins with no opacity are left
 * at 0 for fillClearBins.
 */
export function visibleDownscaleRows(image: ImageBuffer, outHeight: number, outWidth: number, out: Float32Array, rowStart: number, rowEnd: number): void {
  const { width, height, data } = image;
  const max = maxSample(data);
  const plane = outHeight * outWidth;
  const { from, to } = columnBins(width, outWidth);
  const acc = new Float64Array(outWidth * 4);
  for (let i = rowStart; i < rowEnd; i++) {
    const [r0, r1] = poolRange(i, height, outHeight);
    acc.fill(0);
    for (let r = r0; r < r1; r++) {
      for (let j = 0; j < outWidth; j++) {
        let sr = 0;
        let sg = 0;
        let sb = 0;
        let sa = 0;
        for (let p = (r * width + from[j]) * 4, end = (r * width + to[j]) * 4; p < end; p += 4) {
          const a = data[p + 3];
          sr += data[p] * a;
          sg += data[p + 1] * a;
          sb += data[p + 2] * a;
          sa += a;
        }
        acc[j * 4] += sr;
        acc[j * 4 + 1] += sg;
        acc[j * 4 + 2] += sb;
        acc[j * 4 + 3] += sa;
      }
    }
    for (let j = 0, o = i * outWidth; j < outWidth; j++, o++) {
      const weight = acc[j * 4 + 3];
      const norm = weight > 0 ? 1 / (weight * max) : 0;
      out[o] = acc[j * 4] * norm;
      out[plane + o] = acc[j * 4 + 1] * norm;
      out[2 * plane + o] = acc[j * 4 + 2] * norm;
    }
  }
}

/**
 * Gives every bin whose coverage (mean alpha) is 0 the colour of the nearest bin with some, by
 * steps to its four neighbours (breadth first), so that the network sees the scene go on rather
 * than an edge of black. Nothing changes where no bin has any.
 */
export function fillClearBins(rgb: Float32Array, coverage: Float32Array, height: number, width: number): void {
  const n = height * width;
  const queue = new Int32Array(n);
  const filled = new Uint8Array(n);
  let tail = 0;
  for (let i = 0; i < n; i++) {
    if (coverage[i] > 0) {
      filled[i] = 1;
      queue[tail++] = i;
    }
  }
  if (tail === 0) return;
  for (let head = 0; head < tail; head++) {
    const i = queue[head];
    const x = i % width;
    for (const k of [x > 0 ? i - 1 : -1, x < width - 1 ? i + 1 : -1, i - width, i + width]) {
      if (k < 0 || k >= n || filled[k]) continue;
      filled[k] = 1;
      rgb[k] = rgb[i];
      rgb[n + k] = rgb[n + i];
      rgb[2 * n + k] = rgb[2 * n + i];
      queue[tail++] = k;
    }
  }
}
