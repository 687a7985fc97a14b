import { maxSample } from './pixel-format';
import type { ImageBuffer, PixelData } from './types';
import { claim, kernels } from './wasm-kernels';

/**
 * Exact box averaging, as torch.nn.functional.adaptive_avg_pool2d: output index i averages input
 * indices floor(i*n/m) .. ceil((i+1)*n/m) - 1 with equal weights.
 */
export function poolRange(i: number, inSize: number, outSize: number): [number, number] {
  return [Math.floor((i * inSize) / outSize), Math.floor(((i + 1) * inSize + outSize - 1) / outSize)];
}

/** Input column range [from, to) of every output column. */
export function columnBins(width: number, outWidth: number): { from: Int32Array; to: Int32Array } {
  const from = new Int32Array(outWidth);
  const to = new Int32Array(outWidth);
  for (let j = 0; j < outWidth; j++) [from[j], to[j]] = poolRange(j, width, outWidth);
  return { from, to };
}

/**
 * Area-downscales rows [rowStart, rowEnd) of the output into `out`, planar RGB float in [0,1]
 * (3 x outHeight x outWidth), and, for RGBA photos when `coverage` is given, each bin's mean
 * alpha (0..1, outHeight x outWidth) into it. Streams over the interleaved input: no float copy
 * of the photo. Sums are exact integers whatever the order (so the result does not depend on how
 * rows are grouped), and each output pixel is one multiplication by 1 / (count * max). 8-bit
 * photos go through the WebAssembly kernel (downscaleRow), which gives the same floats; 16-bit
 * ones through the JS below. The colours are those of every pixel, clear ones too: see
 * visibleDownscaleRows for photos with transparency.
 */
export function areaDownscaleRows(
  image: ImageBuffer,
  outHeight: number,
  outWidth: number,
  out: Float32Array,
  rowStart: number,
  rowEnd: number,
  coverage?: Float32Array,
): void {
  const { width, height, channels, data } = image;
  const { from, to } = columnBins(width, outWidth);
  const alpha = channels === 4 ? coverage : undefined;
  if (!(data instanceof Uint16Array)) {
    areaDownscaleRowsWasm(data, width, height, channels, from, to, outHeight, outWidth, out, rowStart, rowEnd, alpha);
    return;
  }
  const acc = new Float64Array(outWidth * 3);
  const alphaAcc = alpha ? new Float64Array(outWidth) : null;
  const plane = outHeight * outWidth;
  const max = maxSample(data);
  const stride = width * channels;
  for (let i = rowStart; i < rowEnd; i++) {
    const [r0, r1] = poolRange(i, height, outHeight);
    acc.fill(0);
    alphaAcc?.fill(0);
    let r = r0;
    // Four input rows per walk over the bins: a quarter of the loop and accumulator overhead.
    for (; r + 4 <= r1; r += 4) addFourRows(data, r * stride, stride, channels, from, to, acc);
    for (; r < r1; r++) addRow(data, r * stride, channels, from, to, acc);
    if (alphaAcc) for (let q = r0; q < r1; q++) addAlphaRow(data, q * stride, from, to, alphaAcc);
    const rows = r1 - r0;
    for (let j = 0, o = i * outWidth; j < outWidth; j++, o++) {
      const norm = 1 / (rows * (to[j] - from[j]) * max);
      out[o] = acc[j * 3] * norm;
      out[plane + o] = acc[j * 3 + 1] * norm;
      out[2 * plane + o] = acc[j * 3 + 2] * norm;
      if (alpha && alphaAcc) alpha[o] = alphaAcc[j] * norm;
    }
  }
}

/** Adds the column-bin sums of one input row (starting at `base`) to `acc` (3 per bin). */
function addRow(data: PixelData, base: number, channels: number, from: Int32Array, to: Int32Array, acc: Float64Array): void {
  for (let j = 0, a = 0; j < from.length; j++, a += 3) {
    let sr = 0;
    let sg = 0;
    let sb = 0;
    const end = base + to[j] * channels;
    for (let p = base + from[j] * channels; p < end; p += channels) {
      sr += data[p];
      sg += data[p + 1];
      sb += data[p + 2];
    }
    acc[a] += sr;
    acc[a + 1] += sg;
    acc[a + 2] += sb;
  }
}

/** addRow for the four rows starting at `base`, `stride` samples apart. */
function addFourRows(
  data: PixelData,
  base: number,
  stride: number,
  channels: number,
  from: Int32Array,
  to: Int32Array,
  acc: Float64Array,
): void {
  const s2 = 2 * stride;
  const s3 = 3 * stride;
  for (let j = 0, a = 0; j < from.length; j++, a += 3) {
    let sr = 0;
    let sg = 0;
    let sb = 0;
    const end = base + to[j] * channels;
    for (let p = base + from[j] * channels; p < end; p += channels) {
      sr += data[p] + data[p + stride] + data[p + s2] + data[p + s3];
      sg += data[p + 1] + data[p + 1 + stride] + data[p + 1 + s2] + data[p + 1 + s3];
      sb += data[p + 2] + data[p + 2 + stride] + data[p + 2 + s2] + data[p + 2 + s3];
    }
    acc[a] += sr;
    acc[a + 1] += sg;
    acc[a + 2] += sb;
  }
}

/** Adds the column-bin sums of one RGBA input row's alpha to `acc` (1 per bin). */
function addAlphaRow(data: PixelData, base: number, from: Int32Array, to: Int32Array, acc: Float64Array): void {
  for (let j = 0; j < from.length; j++) {
    let sa = 0;
    for (let p = base + from[j] * 4 + 3, end = base + to[j] * 4; p < end; p += 4) sa += data[p];
    acc[j] += sa;
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

/** Past the last row of a band: the kernel reads rows 16 bytes at a time. */
const ROW_SLACK = 16;

/** areaDownscaleRows for 8-bit pixels, on the WebAssembly kernel: each output row's input rows copied in and summed there. */
function areaDownscaleRowsWasm(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels: number,
  from: Int32Array,
  to: Int32Array,
  outHeight: number,
  outWidth: number,
  out: Float32Array,
  rowStart: number,
  rowEnd: number,
  coverage: Float32Array | undefined,
): void {
  const k = kernels();
  const rowBytes = width * channels;
  const groups = Math.ceil(rowBytes / 16);
  const maxRows = poolRange(0, height, outHeight)[1] + 1; // no bin spans more rows than the first, + 1
  const [fromAt, toAt, outAt, acc32, band] = claim(areaDownscaleRowsWasm, [outWidth * 4, outWidth * 4, 4 * outWidth * 4, groups * 64, maxRows * rowBytes + ROW_SLACK]);
  const buffer = k.memory.buffer;
  new Int32Array(buffer, fromAt, outWidth).set(from);
  new Int32Array(buffer, toAt, outWidth).set(to);
  const heap = new Uint8Array(buffer);
  const row = new Float32Array(buffer, outAt, 4 * outWidth);
  const plane = outHeight * outWidth;
  for (let i = rowStart; i < rowEnd; i++) {
    const [r0, r1] = poolRange(i, height, outHeight);
    heap.set(data.subarray(r0 * rowBytes, r1 * rowBytes), band);
    k.downscaleRow(band, r1 - r0, rowBytes, channels, fromAt, toAt, outWidth, outAt, acc32, coverage ? outAt + 3 * outWidth * 4 : 0);
    const o = i * outWidth;
    out.set(row.subarray(0, outWidth), o);
    out.set(row.subarray(outWidth, 2 * outWidth), plane + o);
    out.set(row.subarray(2 * outWidth, 3 * outWidth), 2 * plane + o);
    if (coverage) coverage.set(row.subarray(3 * outWidth), o);
  }
}
