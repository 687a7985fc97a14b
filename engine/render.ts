import { throwIfAborted, yieldToEventLoop } from './abort.js';
import {
  PROTECT_MAX_RAISE,
  clampAdjustments,
  distanceCurve,
  exposureCurve,
  isNeutral,
  lookup,
  sampleCurve,
  strengthTransmission,
} from './adjustments.js';
import { bilinearTaps, lerpRow, type AxisTaps } from './bilinear.js';
import { LUMA_B, LUMA_G, LUMA_R } from './luma.js';
import { assertImage, maxSample } from './pixel-format.js';
import type {
  Adjustments,
  HazeEstimate,
  HazeMapOptions,
  ImageBuffer,
  ModelManifest,
  PixelData,
  Region,
  RenderOptions,
} from './types.js';

/** Everything a row needs, set up once per render (all O(width + net size)). */
interface RenderPlan {
  width: number;
  height: number;
  channels: number;
  cols: AxisTaps;
  rows: AxisTaps;
  netWidth: number;
  estimate: HazeEstimate;
  t0: number;
  strength: number; // k = strength / 100
  protect: number; // protect / 100 * PROTECT_MAX_RAISE
  /** distance and strength folded into one curve of t, or null when strength alone is cheaper. */
  tLut: Float32Array | null;
  exposure: number;
  rowA: Float64Array;
  rowB: Float64Array;
  rowM: Float64Array;
  /**
   * Runs of output columns that share their left network column (cols.i0 only grows along x):
   * run k covers columns [runEnd[k-1], runEnd[k]) and reads network columns runCol[k] and the
   * one after it, so the pixel loop keeps those coefficients in registers.
   */
  runCol: Int32Array;
  runEnd: Int32Array;
  /** 3 coefficients (A, B, protect mask) per network column, one padding column at the end. */
  coefRow: Float64Array;
  /** The airlight as unboxed doubles (array destructuring would box them in the loops). */
  air: Float64Array;
}

function columnRuns(cols: AxisTaps, width: number): { runCol: Int32Array; runEnd: Int32Array } {
  let runs = 0;
  for (let x = 0; x < width; x++) if (x === 0 || cols.i0[x] !== cols.i0[x - 1]) runs++;
  const runCol = new Int32Array(runs);
  const runEnd = new Int32Array(runs);
  for (let x = 0, k = -1; x < width; x++) {
    if (x === 0 || cols.i0[x] !== cols.i0[x - 1]) runCol[++k] = cols.i0[x];
    runEnd[k] = x + 1;
  }
  return { runCol, runEnd };
}

function makePlan(image: ImageBuffer, estimate: HazeEstimate, manifest: ModelManifest, adjustments: Adjustments, region?: Region): RenderPlan {
  assertImage(image);
  const full = region ?? { left: 0, top: 0, fullWidth: image.width, fullHeight: image.height };
  if (
    full.left < 0 ||
    full.top < 0 ||
    full.left + image.width > full.fullWidth ||
    full.top + image.height > full.fullHeight
  ) {
    throw new Error(`region ${image.width}x${image.height} at (${full.left}, ${full.top}) lies outside ${full.fullWidth}x${full.fullHeight}`);
  }
  const adj = clampAdjustments(adjustments);
  const nw = estimate.netWidth;
  const nh = estimate.netHeight;
  if (estimate.coefA.length !== nw * nh || estimate.coefB.length !== nw * nh || estimate.protectMask.length !== nw * nh) {
    throw new Error('estimate: coefficient planes do not match netWidth x netHeight');
  }
  const cols = bilinearTaps(nw, full.fullWidth, full.left, image.width);
  // The right tap is i0 + 1, or i0 itself at the last column: the padding column repeats it.
  for (let x = 0; x < image.width; x++) {
    if (cols.i1[x] !== cols.i0[x] + 1 && !(cols.i1[x] === cols.i0[x] && cols.i0[x] === nw - 1)) throw new Error('bilinear taps out of order');
  }
  return {
    width: image.width,
    height: image.height,
    channels: image.channels,
    cols,
    rows: bilinearTaps(nh, full.fullHeight, full.top, image.height),
    netWidth: nw,
    estimate,
    t0: manifest.reconstruction.t0,
    strength: adj.strength / 100,
    protect: (adj.protect / 100) * PROTECT_MAX_RAISE,
    tLut: transmissionLut(adj.distance, adj.strength, estimate.depthPivot),
    exposure: adj.exposure,
    rowA: new Float64Array(nw),
    rowB: new Float64Array(nw),
    rowM: new Float64Array(nw),
    ...columnRuns(cols, image.width),
    coefRow: new Float64Array(3 * (nw + 1)),
    air: Float64Array.from(estimate.airlight),
  };
}

/** Coefficient rows for output row y (vertical half of the bilinear upsampling). */
function prepareRow(plan: RenderPlan, y: number, withMask: boolean): void {
  const { rows, estimate, netWidth } = plan;
  const r0 = rows.i0[y];
  const r1 = rows.i1[y];
  const wy = rows.w1[y];
  lerpRow(estimate.coefA, netWidth, r0, r1, wy, plan.rowA);
  lerpRow(estimate.coefB, netWidth, r0, r1, wy, plan.rowB);
  if (withMask) lerpRow(estimate.protectMask, netWidth, r0, r1, wy, plan.rowM);
}

/** prepareRow into the interleaved plan.coefRow (same values, same arithmetic as lerpRow). */
function prepareCoefRow(plan: RenderPlan, y: number, withMask: boolean): void {
  const { rows, estimate, netWidth, coefRow } = plan;
  const { coefA, coefB, protectMask } = estimate;
  const b0 = rows.i0[y] * netWidth;
  const b1 = rows.i1[y] * netWidth;
  const wy = rows.w1[y];
  const wy0 = 1 - wy;
  for (let x = 0, q = 0; x < netWidth; x++, q += 3) {
    coefRow[q] = wy0 * coefA[b0 + x] + wy * coefA[b1 + x];
    coefRow[q + 1] = wy0 * coefB[b0 + x] + wy * coefB[b1 + x];
  }
  if (withMask) for (let x = 0, q = 2; x < netWidth; x++, q += 3) coefRow[q] = wy0 * protectMask[b0 + x] + wy * protectMask[b1 + x];
  const last = 3 * (netWidth - 1);
  coefRow[last + 3] = coefRow[last];
  coefRow[last + 4] = coefRow[last + 1];
  coefRow[last + 5] = coefRow[last + 2];
}

/**
 * The effective transmission after the sliders (pure). Distance reshapes t, strength scales the
 * haze removed, protect then raises t in sky-like areas (so it caps the gain 1/t whatever the
 * strength). The pixel loop inlines the same steps.
 */
function adjustedT(plan: RenderPlan, t: number, mask: number): number {
  if (plan.tLut !== null) t = lookup(plan.tLut, t);
  else if (plan.strength !== 1) t = strengthTransmission(t, plan.strength * 100);
  if (plan.protect !== 0) t += plan.protect * mask * (1 - t);
  return t;
}

/**
 * Constants the pixel loops use, read from a Float64Array into locals: V8 reloads module bindings
 * and plain-array elements as boxed values and unboxes them on every iteration.
 */
const LUMA = Float64Array.of(LUMA_R, LUMA_G, LUMA_B);

/** Exposure and quantisation in one table: J (0..1) at this resolution -> output sample. */
const OUTPUT_LUT_SIZE = 8192;

// Slider drags re-render with the same curves many times; the last tables are kept.
let lastOutputLut: { exposure: number; max: number; lut: Uint8Array | Uint16Array } | null = null;
let lastTLut: { distance: number; strength: number; pivot: number; lut: Float32Array } | null = null;

function outputLut(exposure: number, max: number): Uint8Array | Uint16Array {
  if (lastOutputLut?.exposure === exposure && lastOutputLut.max === max) return lastOutputLut.lut;
  // Small enough to stay in L1 next to the pixel data (8-bit: 8 KB).
  const lut = max <= 255 ? new Uint8Array(OUTPUT_LUT_SIZE + 1) : new Uint16Array(OUTPUT_LUT_SIZE + 1);
  for (let i = 0; i <= OUTPUT_LUT_SIZE; i++) lut[i] = Math.floor(exposureCurve(i / OUTPUT_LUT_SIZE, exposure) * max + 0.5);
  lastOutputLut = { exposure, max, lut };
  return lut;
}

function transmissionLut(distance: number, strength: number, pivot: number): Float32Array | null {
  if (distance === 0) return null;
  const hit = lastTLut;
  if (hit !== null && hit.distance === distance && hit.strength === strength && hit.pivot === pivot) return hit.lut;
  const lut = sampleCurve((t) => strengthTransmission(distanceCurve(t, distance, pivot), strength), 4096);
  lastTLut = { distance, strength, pivot, lut };
  return lut;
}

/**
 * The per-pixel loops (hot: a 2 MP preview must redraw in well under 50 ms). The slider math of
 * adjustedT/lookup is inlined and every branch depends only on per-render constants. Loops run
 * over column runs (see RenderPlan.runCol) so few arrays are touched per pixel (V8 re-checks
 * each one on every iteration), and each row is its own call so V8 optimises the row function
 * as a whole rather than a loop entered once.
 */
function renderRows(plan: RenderPlan, src: PixelData, dst: PixelData, y0: number, y1: number): void {
  const { width, channels } = plan;
  // Alpha (and everything else) copied natively up front; the loops then write only RGB.
  if (channels === 4 && src !== dst) dst.set(src.subarray(y0 * width * 4, y1 * width * 4), y0 * width * 4);
  const k = plan.strength;
  const protect = plan.protect !== 0;
  const common = k > 0 && plan.tLut === null && !protect && plan.exposure === 0;
  for (let y = y0; y < y1; y++) {
    if (k !== 0) prepareCoefRow(plan, y, protect);
    if (common) dehazeRow(plan, src, dst, y);
    else renderRow(plan, src, dst, y);
  }
}

/** The common case, strength > 0 alone: J = (I - A) / max(t, t0) + A, t = clamp(a luma + b). */
function dehazeRow(plan: RenderPlan, src: PixelData, dst: PixelData, y: number): void {
  const { width, channels, t0, runCol, runEnd, coefRow } = plan;
  const w1 = plan.cols.w1;
  const { air } = plan;
  const ar = air[0];
  const ag = air[1];
  const ab = air[2];
  const lr = LUMA[0];
  const lg = LUMA[1];
  const lb = LUMA[2];
  const max = maxSample(src);
  const inv = 1 / max;
  const absK = plan.strength;
  const scaleT = absK !== 1;
  const runs = runCol.length;
  let p = y * width * channels;
  let x = 0;
  for (let run = 0; run < runs; run++) {
    const q = 3 * runCol[run];
    const a0 = coefRow[q];
    const b0 = coefRow[q + 1];
    const a1 = coefRow[q + 3];
    const b1 = coefRow[q + 4];
    const end = runEnd[run];
    for (; x < end; x++, p += channels) {
      let r = src[p] * inv;
      let g = src[p + 1] * inv;
      let b = src[p + 2] * inv;
      const wx = w1[x];
      const wx0 = 1 - wx;
      let t = (wx0 * a0 + wx * a1) * (lr * r + lg * g + lb * b) + (wx0 * b0 + wx * b1);
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      if (scaleT) t = 1 - absK * (1 - t);
      const s = 1 / (t > t0 ? t : t0);
      r = (r - ar) * s + ar;
      g = (g - ag) * s + ag;
      b = (b - ab) * s + ab;
      r = r < 0 ? 0 : r > 1 ? 1 : r;
      g = g < 0 ? 0 : g > 1 ? 1 : g;
      b = b < 0 ? 0 : b > 1 ? 1 : b;
      // r, g, b are in [0, 1] here, so truncation after +0.5 rounds half up.
      dst[p] = (r * max + 0.5) | 0;
      dst[p + 1] = (g * max + 0.5) | 0;
      dst[p + 2] = (b * max + 0.5) | 0;
    }
  }
}

/** Any slider combination; the same arithmetic as dehazeRow where they overlap. */
function renderRow(plan: RenderPlan, src: PixelData, dst: PixelData, y: number): void {
  const { width, channels, t0, protect, runCol, runEnd, coefRow } = plan;
  const w1 = plan.cols.w1;
  const { air } = plan;
  const ar = air[0];
  const ag = air[1];
  const ab = air[2];
  const lr = LUMA[0];
  const lg = LUMA[1];
  const lb = LUMA[2];
  const max = maxSample(src);
  const inv = 1 / max;
  const k = plan.strength;
  const absK = k < 0 ? -k : k;
  const dehaze = k > 0;
  const tLut = plan.tLut;
  const tSize = tLut === null ? 0 : tLut.length - 2;
  const scaleT = tLut === null && absK !== 1;
  const oLut = plan.exposure === 0 ? null : outputLut(plan.exposure, max);
  const oScale = OUTPUT_LUT_SIZE;
  const runs = runCol.length;
  let p = y * width * channels;
  let x = 0;
  for (let run = 0; run < runs; run++) {
    const q = 3 * runCol[run];
    const a0 = coefRow[q];
    const b0 = coefRow[q + 1];
    const m0 = coefRow[q + 2];
    const a1 = coefRow[q + 3];
    const b1 = coefRow[q + 4];
    const m1 = coefRow[q + 5];
    const end = runEnd[run];
    for (; x < end; x++, p += channels) {
      let r = src[p] * inv;
      let g = src[p + 1] * inv;
      let b = src[p + 2] * inv;
      if (k !== 0) {
        const wx = w1[x];
        const wx0 = 1 - wx;
        let t = (wx0 * a0 + wx * a1) * (lr * r + lg * g + lb * b) + (wx0 * b0 + wx * b1);
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        if (tLut !== null) {
          const f = t * tSize;
          const i = f | 0;
          t = tLut[i] + (f - i) * (tLut[i + 1] - tLut[i]);
        } else if (scaleT) {
          t = 1 - absK * (1 - t);
        }
        if (protect !== 0) t += protect * (wx0 * m0 + wx * m1) * (1 - t);
        if (dehaze) {
          const s = 1 / (t > t0 ? t : t0);
          r = (r - ar) * s + ar;
          g = (g - ag) * s + ag;
          b = (b - ab) * s + ab;
        } else {
          // Negative strength adds haze: the scattering model run forwards.
          const u = 1 - t;
          r = r * t + ar * u;
          g = g * t + ag * u;
          b = b * t + ab * u;
        }
        r = r < 0 ? 0 : r > 1 ? 1 : r;
        g = g < 0 ? 0 : g > 1 ? 1 : g;
        b = b < 0 ? 0 : b > 1 ? 1 : b;
      }
      if (oLut !== null) {
        dst[p] = oLut[(r * oScale + 0.5) | 0];
        dst[p + 1] = oLut[(g * oScale + 0.5) | 0];
        dst[p + 2] = oLut[(b * oScale + 0.5) | 0];
      } else {
        dst[p] = (r * max + 0.5) | 0;
        dst[p + 1] = (g * max + 0.5) | 0;
        dst[p + 2] = (b * max + 0.5) | 0;
      }
    }
  }
}

function prepareOutput(image: ImageBuffer, output: ImageBuffer | undefined): ImageBuffer {
  if (output === undefined) {
    const n = image.width * image.height * image.channels;
    const data = image.data instanceof Uint16Array ? new Uint16Array(n) : image.data instanceof Uint8ClampedArray ? new Uint8ClampedArray(n) : new Uint8Array(n);
    return { width: image.width, height: image.height, channels: image.channels, data };
  }
  assertImage(output, 'output');
  if (output.width !== image.width || output.height !== image.height || output.channels !== image.channels) {
    throw new Error(`output is ${output.width}x${output.height}x${output.channels}, image is ${image.width}x${image.height}x${image.channels}`);
  }
  if (maxSample(output.data) !== maxSample(image.data)) throw new Error('output and image must have the same bit depth');
  return output;
}

function copyPixels(image: ImageBuffer, out: ImageBuffer): void {
  if (out.data !== image.data) out.data.set(image.data.subarray(0, image.width * image.height * image.channels));
}

/** Default band: about 2 megapixels. */
function defaultBandRows(width: number): number {
  return Math.max(1, Math.ceil((1 << 21) / width));
}

/**
 * Dehazes `image` (the full photo, a downscaled proxy of it, or a region: see RenderOptions) band
 * by band, yielding between bands so an abort or a newer request gets through. Memory: the output
 * (or nothing extra when `output` is `image`) plus a few rows of network width.
 */
export async function renderDehazed(
  image: ImageBuffer,
  estimate: HazeEstimate,
  manifest: ModelManifest,
  adjustments: Adjustments,
  opts: RenderOptions = {},
): Promise<ImageBuffer> {
  const { signal, onProgress } = opts;
  throwIfAborted(signal);
  const plan = makePlan(image, estimate, manifest, adjustments, opts.region);
  const out = prepareOutput(image, opts.output);
  const total = image.height;
  if (isNeutral(clampAdjustments(adjustments))) {
    copyPixels(image, out);
    onProgress?.({ stage: 'render', done: total, total });
    return out;
  }
  const band = Math.max(1, Math.floor(opts.bandRows ?? defaultBandRows(image.width)));
  for (let y = 0; y < total; y += band) {
    const end = Math.min(total, y + band);
    renderRows(plan, image.data, out.data, y, end);
    onProgress?.({ stage: 'render', done: end, total });
    if (end < total) {
      await yieldToEventLoop();
      throwIfAborted(signal);
    }
  }
  return out;
}

/** renderDehazed in one go, for preview-size images (slider redraws). */
export function renderDehazedSync(
  image: ImageBuffer,
  estimate: HazeEstimate,
  manifest: ModelManifest,
  adjustments: Adjustments,
  opts: Omit<RenderOptions, 'signal' | 'onProgress'> = {},
): ImageBuffer {
  const plan = makePlan(image, estimate, manifest, adjustments, opts.region);
  const out = prepareOutput(image, opts.output);
  if (isNeutral(clampAdjustments(adjustments))) {
    copyPixels(image, out);
    return out;
  }
  const band = Math.max(1, Math.floor(opts.bandRows ?? image.height));
  for (let y = 0; y < image.height; y += band) renderRows(plan, image.data, out.data, y, Math.min(image.height, y + band));
  return out;
}

/**
 * The effective transmission (after the sliders) as an 8-bit grey image: white = no haze
 * removed, dark = much removed. Without adjustments it shows the model's own estimate.
 */
export function renderHazeMap(
  image: ImageBuffer,
  estimate: HazeEstimate,
  manifest: ModelManifest,
  adjustments: Adjustments = { strength: 100, distance: 0, protect: 0, exposure: 0 },
  opts: HazeMapOptions = {},
): ImageBuffer {
  const plan = makePlan(image, estimate, manifest, adjustments, opts.region);
  const channels = opts.channels ?? 4;
  const { width, height, cols } = plan;
  const src = image.data;
  const inv = 1 / maxSample(src);
  const out = new Uint8ClampedArray(width * height * channels);
  const withMask = plan.protect !== 0;
  for (let y = 0; y < height; y++) {
    prepareRow(plan, y, withMask);
    for (let x = 0; x < width; x++) {
      const p = (y * width + x) * image.channels;
      const c0 = cols.i0[x];
      const c1 = cols.i1[x];
      const wx = cols.w1[x];
      const luma = (LUMA_R * src[p] + LUMA_G * src[p + 1] + LUMA_B * src[p + 2]) * inv;
      let t = ((1 - wx) * plan.rowA[c0] + wx * plan.rowA[c1]) * luma + ((1 - wx) * plan.rowB[c0] + wx * plan.rowB[c1]);
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      t = adjustedT(plan, t, withMask ? (1 - wx) * plan.rowM[c0] + wx * plan.rowM[c1] : 0);
      const v = Math.floor(t * 255 + 0.5);
      const q = (y * width + x) * channels;
      out[q] = v;
      out[q + 1] = v;
      out[q + 2] = v;
      if (channels === 4) out[q + 3] = 255;
    }
  }
  return { width, height, channels, data: out };
}
