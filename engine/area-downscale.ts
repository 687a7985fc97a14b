import { maxSample } from './pixel-format.js';
import type { ImageBuffer } from './types.js';

/**
 * Exact box averaging, as torch.nn.functional.adaptive_avg_pool2d: output index i averages input
 * indices floor(i*n/m) .. ceil((i+1)*n/m) - 1 with equal weights.
 */
export function poolRange(i: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((i * inSize) / outSize), Math.floor(((i + 1) * inSize + outSize - 1) / outSize)];
}

/**
 * Area-downscales rows [rowStart, rowEnd) of the output into `out`, planar RGB float in [0,1]
 * (3 x outHeight x outWidth). Streams over the interleaved input: no float copy of the photo.
 */
export function areaDownscaleRows(
  image: ImageBuffer,
  outHeight: number,
  outWidth: number,
  out: Float32Array,
  rowStart: number,
  rowEnd: number,
): void {
  const { width, height, channels, data } = image;
  const colFrom = new Int32Array(outWidth);
  const colTo = new Int32Array(outWidth);
  for (let j = 0; j < outWidth; j++) [colFrom[j], colTo[j]] = poolRange(j, width, outWidth);
  const acc = new Float64Array(outWidth * 3);
  const plane = outHeight * outWidth;
  const max = maxSample(data);
  for (let i = rowStart; i < rowEnd; i++) {
    const [r0, r1] = poolRange(i, height, outHeight);
    acc.fill(0);
    for (let r = r0; r < r1; r++) {
      const rowBase = r * width * channels;
      for (let j = 0; j < outWidth; j++) {
        let sr = 0;
        let sg = 0;
        let sb = 0;
        for (let c = colFrom[j], p = rowBase + c * channels; c < colTo[j]; c++, p += channels) {
          sr += data[p];
          sg += data[p + 1];
          sb += data[p + 2];
        }
        acc[j * 3] += sr;
        acc[j * 3 + 1] += sg;
        acc[j * 3 + 2] += sb;
      }
    }
    const rows = r1 - r0;
    for (let j = 0; j < outWidth; j++) {
      const norm = 1 / (rows * (colTo[j] - colFrom[j]) * max);
      const o = i * outWidth + j;
      out[o] = acc[j * 3] * norm;
      out[plane + o] = acc[j * 3 + 1] * norm;
      out[2 * plane + o] = acc[j * 3 + 2] * norm;
    }
  }
}

export function areaDownscale(image: ImageBuffer, outHeight: number, outWidth: number): Float32Array {
  const out = new Float32Array(3 * outHeight * outWidth);
  areaDownscaleRows(image, outHeight, outWidth, out, 0, outHeight);
  return out;
}

/** Edge-replicates planar channels (c x h x w) to (c x ph x pw), padding bottom and right. */
export function padEdge(src: Float32Array, channels: number, h: number, w: number, ph: number, pw: number): Float32Array {
  if (ph === h && pw === w) return src;
  const out = new Float32Array(channels * ph * pw);
  for (let c = 0; c < channels; c++) {
    for (let y = 0; y < ph; y++) {
      const sRow = c * h * w + Math.min(y, h - 1) * w;
      const dRow = c * ph * pw + y * pw;
      out.set(src.subarray(sRow, sRow + w), dRow);
      const edge = src[sRow + w - 1];
      for (let x = w; x < pw; x++) out[dRow + x] = edge;
    }
  }
  return out;
}
