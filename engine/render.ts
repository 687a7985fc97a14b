import { throwIfAborted, yieldToEventLoop } from './abort.js';
import {
  PROTECT_MAX_RAISE,
  clampAdjustments,
  distanceCurve,
  exposureCurve,
  isNeutral,
  sampleCurve,
  lumaKept,
  strengthTransmission,
} from './adjustments.js';
import { bilinearTaps, type AxisTaps } from './bilinear.js';
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
  strength: number; // k = strength / 100
  protect: number; // protect / 100 * PROTECT_MAX_RAISE
  /** distance and strength folded into one curve of t, or null when strength alone is cheaper. */
  tLut: Float32Array | null;
  exposure: number;
  /**
   * Runs of output columns that share their left network column (cols.i0 only grows along x):
   * run k covers columns [runEnd[k-1], runEnd[k]) and reads network columns runCol[k] and the
   * one after it, so the pixel loop keeps those coefficients in registers.
   */
  runCol: Int32Array;
  runEnd: Int32Array;
  /**
   * The coefficient planes interpolated vertically to the row being rendered: A, B and the
   * protect mask of each network column, then a copy of the last column, so that the right tap
   * is always the left one + 1 (bilinearTaps gives i1 = i0 + 1, or i0 at the last column).
   */
  coefRow: Float64Array;
  /** Whether the estimate has base-layer coefficients (manifest reconstruction.detail). */
  detail: boolean;
  /**
   * The base layer's coefficients interpolated vertically to the row, like coefRow: per network
   * column a and b of R, G and B, then a copy of the last column. Without detail it stays a = 1,
   * b = 0 (B = I), so that J = I + (B - A) (1/t - 1) is the plain haze model.
   */
  detailRow: Float64Array;
  /** The base layer B of the row being rendered, interleaved RGB (renderRow, with detail). */
  baseRow: Float64Array;
  /** t of the row being rendered, after each slider pass (renderRow). */
  tRow: Float64Array;
  /** protect / 100 * PROTECT_MAX_RAISE * mask of each pixel of the row (renderRow, protect on). */
  protectRow: Float64Array;
  /**
   * Strength beyond 100 only: t of the row at strength 100 with the other sliders (from t100Lut
   * and t100Consts) and the share of that render's luma each pixel keeps (shadowBoundRow).
   */
  beyond: { t100Lut: Float32Array | null; t100Consts: Float64Array; t100Row: Float64Array; kept: number } | null;
  /**
   * The numbers the pixel kernels use, as a Float64Array (see K_AR...): read from one, they are
   * unboxed doubles for V8. Passed as arguments or read from fields, a value seen once as an
   * integer (strength 1, protect 0) is re-checked and converted on every iteration forever after.
   */
  consts: Float64Array;
}

/** Indices into RenderPlan.consts. */
const K_AR = 0;
const K_AG = 1;
const K_AB = 2;
const K_T0 = 3;
/** |strength| / 100 */
const K_ABS_K = 4;
/** protect / 100 * PROTECT_MAX_RAISE */
const K_PROTECT = 5;

function renderConstants(airlight: readonly number[], t0: number, k: number, protect: number): Float64Array {
  return Float64Array.of(airlight[0], airlight[1], airlight[2], t0, k < 0 ? -k : k, protect);
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
  const detail = estimate.detailA !== null && estimate.detailB !== null;
  if (detail && (estimate.detailA?.length !== 3 * nw * nh || estimate.detailB?.length !== 3 * nw * nh)) {
    throw new Error('estimate: detail planes do not match 3 x netWidth x netHeight');
  }
  const cols = bilinearTaps(nw, full.fullWidth, full.left, image.width);
  return {
    width: image.width,
    height: image.height,
    channels: image.channels,
    cols,
    rows: bilinearTaps(nh, full.fullHeight, full.top, image.height),
    netWidth: nw,
    estimate,
    strength: adj.strength / 100,
    protect: (adj.protect / 100) * PROTECT_MAX_RAISE,
    tLut: transmissionLut(adj.distance, adj.strength, estimate.depthPivot),
    exposure: adj.exposure,
    ...columnRuns(cols, image.width),
    coefRow: new Float64Array(3 * (nw + 1)),
    detail,
    detailRow: identityDetailRow(nw),
    baseRow: new Float64Array(detail ? 3 * image.width : 0),
    consts: renderConstants(estimate.airlight, manifest.reconstruction.t0, adj.strength / 100, (adj.protect / 100) * PROTECT_MAX_RAISE),
    tRow: new Float64Array(image.width),
    protectRow: new Float64Array(image.width),
    beyond:
      adj.strength > 100
        ? {
            t100Lut: transmissionLut(adj.distance, 100, estimate.depthPivot),
            t100Consts: renderConstants(estimate.airlight, manifest.reconstruction.t0, 1, 0),
            t100Row: new Float64Array(image.width),
            kept: lumaKept(adj.strength),
          }
        : null,
  };
}

/** B = I: a = 1 and b = 0 for every column (and the copy of the last). */
function identityDetailRow(netWidth: number): Float64Array {
  const row = new Float64Array(6 * (netWidth + 1));
  for (let q = 0; q < row.length; q += 2) row[q] = 1;
  return row;
}

/** plan.coefRow (and detailRow) for output row y: the vertical half of the bilinear upsampling. */
function prepareCoefRow(plan: RenderPlan, y: number, withMask: boolean): void {
  const { rows, estimate, netWidth, coefRow } = plan;
  const r0 = rows.i0[y];
  const r1 = rows.i1[y];
  const wy = rows.w1[y];
  lerpInto(estimate.coefA, 0, netWidth, r0, r1, wy, coefRow, 0, 3);
  lerpInto(estimate.coefB, 0, netWidth, r0, r1, wy, coefRow, 1, 3);
  // A loop of its own: a branch V8 has never seen taken would make the caller deoptimise, again
  // and again, when the protect slider first moves.
  if (withMask) lerpInto(estimate.protectMask, 0, netWidth, r0, r1, wy, coefRow, 2, 3);
  const last = 3 * (netWidth - 1);
  coefRow[last + 3] = coefRow[last];
  coefRow[last + 4] = coefRow[last + 1];
  coefRow[last + 5] = coefRow[last + 2];
  if (plan.detail) prepareDetailRow(plan, r0, r1, wy);
}

function prepareDetailRow(plan: RenderPlan, r0: number, r1: number, wy: number): void {
  const { estimate, netWidth, detailRow } = plan;
  const { detailA, detailB } = estimate;
  if (detailA === null || detailB === null) return;
  const n = netWidth * estimate.netHeight;
  for (let c = 0; c < 3; c++) {
    lerpInto(detailA, c * n, netWidth, r0, r1, wy, detailRow, 2 * c, 6);
    lerpInto(detailB, c * n, netWidth, r0, r1, wy, detailRow, 2 * c + 1, 6);
  }
  const last = 6 * (netWidth - 1);
  for (let i = 0; i < 6; i++) detailRow[last + 6 + i] = detailRow[last + i];
}

/**
 * Rows r0 and r1 of the plane at `offset` in `planes` (h x w), mixed by wy, into every
 * `stride`-th element of `out` from `first`.
 */
function lerpInto(
  planes: Float32Array,
  offset: number,
  w: number,
  r0: number,
  r1: number,
  wy: number,
  out: Float64Array,
  first: number,
  stride: number,
): void {
  const b0 = offset + r0 * w;
  const b1 = offset + r1 * w;
  const wy0 = 1 - wy;
  for (let x = 0, q = first; x < w; x++, q += stride) out[q] = wy0 * planes[b0 + x] + wy * planes[b1 + x];
}

/**
 * Constants the pixel loops use, read from a Float64Array into locals: V8 reloads module bindings
 * and plain-array elements as boxed values and unboxes them on every iteration.
 */
const LUMA = Float64Array.of(LUMA_R, LUMA_G, LUMA_B);

/** Exposure and quantisation in one table: J (0..1) at this resolution -> output sample. */
const OUTPUT_LUT_SIZE = 8192;
const OUTPUT_LUT_SIZE_F64 = Float64Array.of(OUTPUT_LUT_SIZE);

// Slider drags re-render with the same curves many times; the last tables are kept.
type OutputLut = Uint8Array | Uint16Array;
let lastOutputLut: { exposure: number; max: number; lut: OutputLut } | null = null;
// Two curves: strength beyond 100 renders with its own and the one at 100 (RenderPlan.beyond).
const recentTLuts: { distance: number; strength: number; pivot: number; lut: Float32Array }[] = [];

function outputLut(exposure: number, max: number): OutputLut {
  if (lastOutputLut?.exposure === exposure && lastOutputLut.max === max) return lastOutputLut.lut;
  // Small enough to stay in L1 next to the pixel data (8-bit: 8 KB).
  const lut = max <= 255 ? new Uint8Array(OUTPUT_LUT_SIZE + 1) : new Uint16Array(OUTPUT_LUT_SIZE + 1);
  for (let i = 0; i <= OUTPUT_LUT_SIZE; i++) lut[i] = Math.floor(exposureCurve(i / OUTPUT_LUT_SIZE, exposure) * max + 0.5);
  lastOutputLut = { exposure, max, lut };
  return lut;
}

/** distance and strength as one curve of t; null where the pixel loop's linear strength is enough. */
function transmissionLut(distance: number, strength: number, pivot: number): Float32Array | null {
  if (distance === 0 && Math.abs(strength) <= 100) return null;
  const hit = recentTLuts.find((e) => e.distance === distance && e.strength === strength && e.pivot === pivot);
  if (hit !== undefined) return hit.lut;
  const lut = sampleCurve((t) => strengthTransmission(distanceCurve(t, distance, pivot), strength), 4096);
  recentTLuts.unshift({ distance, strength, pivot, lut });
  recentTLuts.length = Math.min(recentTLuts.length, 2);
  return lut;
}

/**
 * The per-pixel loops (hot: a 2 MP preview must redraw in well under 50 ms; measured in Node and
 * Chromium, see engine/README.md). The slider math of engine/adjustments.ts is inlined and every
 * branch depends only on per-render constants. Loops run over column runs (RenderPlan.runCol) so
 * few arrays are touched per pixel (V8 re-checks each one on every iteration), and each row is
 * one call of a row kernel. The kernels of renderRow take typed arrays and numbers only: V8
 * optimises them early, during the first long row, and property loads it has no feedback for
 * yet made it deoptimise and, in Node 20, settle on slower code about one time in two. (The
 * same change measured slower for dehazeRow, which is stable as it is.)
 */
function renderRows(plan: RenderPlan, src: PixelData, dst: PixelData, y0: number, y1: number): void {
  const { width, channels } = plan;
  // Alpha (and everything else) copied natively up front; the loops then write only RGB.
  if (channels === 4 && src !== dst) dst.set(src.subarray(y0 * width * 4, y1 * width * 4), y0 * width * 4);
  const k = plan.strength;
  const protect = plan.protect !== 0;
  // 8-bit output goes through a clamping view, so the common loop needs no clamps of its own.
  const clamped = dst instanceof Uint16Array ? null : dst instanceof Uint8ClampedArray ? dst : new Uint8ClampedArray(dst.buffer, dst.byteOffset, dst.length);
  const common = clamped !== null && k > 0 && plan.tLut === null && plan.exposure === 0;
  for (let y = y0; y < y1; y++) {
    if (k !== 0) prepareCoefRow(plan, y, protect);
    if (common) dehazeRow(plan, src, clamped, y);
    else renderRow(plan, src, dst, y);
  }
}

/**
 * The common case, 8-bit with strength > 0 and protect (the defaults): t = clamp(a luma + b), then
 * strength as in adjustedTRow, the base layer B (B = I without detail: the haze model as written),
 * D = B - A split into its luma DL and the rest, and J = I + DL (1/max(t, t0) - 1) + (D - DL)
 * (1/max(t', t0) - 1), with t' = t raised by protect (protectTransmission): protect holds back
 * only the colour of the haze removal (engine/adjustments.ts, protectTransmission). The clamping
 * store does what clamping J to [0, 1] then rounding half up would do (|J| < 41 as t >= t0, far
 * from int32 overflow).
 */
function dehazeRow(plan: RenderPlan, src: PixelData, dst: Uint8ClampedArray, y: number): void {
  const { width, channels, runCol, runEnd, coefRow, detailRow, consts } = plan;
  const w1 = plan.cols.w1;
  const ar = consts[K_AR];
  const ag = consts[K_AG];
  const ab = consts[K_AB];
  const t0 = consts[K_T0];
  const lr = LUMA[0];
  const lg = LUMA[1];
  const lb = LUMA[2];
  const max = maxSample(src);
  const inv = 1 / max;
  const absK = consts[K_ABS_K];
  const protect = consts[K_PROTECT];
  const scaleT = absK !== 1;
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
    const d = 6 * runCol[run];
    const rA0 = detailRow[d];
    const rB0 = detailRow[d + 1];
    const gA0 = detailRow[d + 2];
    const gB0 = detailRow[d + 3];
    const bA0 = detailRow[d + 4];
    const bB0 = detailRow[d + 5];
    const rA1 = detailRow[d + 6];
    const rB1 = detailRow[d + 7];
    const gA1 = detailRow[d + 8];
    const gB1 = detailRow[d + 9];
    const bA1 = detailRow[d + 10];
    const bB1 = detailRow[d + 11];
    const end = runEnd[run];
    // Most of a photo lies outside the protect mask: there the colour is recovered with t too,
    // and the run skips the second division.
    const masked = protect !== 0 && (m0 !== 0 || m1 !== 0);
    for (; x < end; x++, p += channels) {
      const r = src[p] * inv;
      const g = src[p + 1] * inv;
      const b = src[p + 2] * inv;
      const wx = w1[x];
      const wx0 = 1 - wx;
      let t = (wx0 * a0 + wx * a1) * (lr * r + lg * g + lb * b) + (wx0 * b0 + wx * b1);
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      if (scaleT) t = 1 - absK * (1 - t);
      const s1 = 1 / (t > t0 ? t : t0) - 1;
      const dR = (wx0 * rA0 + wx * rA1) * r + (wx0 * rB0 + wx * rB1) - ar;
      const dG = (wx0 * gA0 + wx * gA1) * g + (wx0 * gB0 + wx * gB1) - ag;
      const dB = (wx0 * bA0 + wx * bA1) * b + (wx0 * bB0 + wx * bB1) - ab;
      if (masked) {
        const tp = t + protect * (wx0 * m0 + wx * m1) * (1 - t);
        const sp = 1 / (tp > t0 ? tp : t0) - 1;
        const dL = lr * dR + lg * dG + lb * dB;
        const lumaPart = dL * (s1 - sp);
        dst[p] = ((r + dR * sp + lumaPart) * max + 0.5) | 0;
        dst[p + 1] = ((g + dG * sp + lumaPart) * max + 0.5) | 0;
        dst[p + 2] = ((b + dB * sp + lumaPart) * max + 0.5) | 0;
      } else {
        dst[p] = ((r + dR * s1) * max + 0.5) | 0;
        dst[p + 1] = ((g + dG * s1) * max + 0.5) | 0;
        dst[p + 2] = ((b + dB * s1) * max + 0.5) | 0;
      }
    }
  }
}

/**
 * Any slider combination and bit depth, in passes over a row of t (each a short loop with few
 * live values; one long fused loop spills registers and serialises on its dependency chain).
 * The arithmetic is that of dehazeRow and adjustedT.
 */
function renderRow(plan: RenderPlan, src: PixelData, dst: PixelData, y: number): void {
  const { width, channels, tRow } = plan;
  const k = plan.strength;
  const p0 = y * width * channels;
  const max = maxSample(src);
  const oLut = plan.exposure === 0 ? null : outputLut(plan.exposure, max);
  if (k === 0) {
    outputRow(src, dst, p0, width, channels, max, oLut);
    return;
  }
  const { consts } = plan;
  const base = transmissionRow(plan, src, p0, max);
  if (k > 0) {
    dehazeTRow(src, dst, p0, width, channels, max, tRow, plan.protectRow, base, consts, oLut);
  } else {
    addHazeRow(src, dst, p0, width, channels, max, tRow, plan.protectRow, consts, oLut);
  }
}

/**
 * plan.tRow = the transmission of each pixel of the row after every slider (the one its luma is
 * recovered with), the coefficient rows being prepared; returns the row's base layer where the
 * estimate has one (strength > 0), else null. Shared by the render and the haze map, so the map
 * shows the t the render uses.
 */
function transmissionRow(plan: RenderPlan, src: PixelData, p0: number, max: number): Float64Array | null {
  const { width, channels, tRow, consts } = plan;
  adjustedTRow(src, p0, channels, max, plan.runCol, plan.runEnd, plan.coefRow, plan.cols.w1, consts, plan.tLut, tRow, plan.protectRow);
  const base = plan.detail && plan.strength > 0 ? plan.baseRow : null;
  if (base !== null) baseLayerRow(src, p0, channels, max, plan.runCol, plan.runEnd, plan.detailRow, plan.cols.w1, base);
  const beyond = plan.beyond;
  if (beyond !== null) {
    adjustedTRow(src, p0, channels, max, plan.runCol, plan.runEnd, plan.coefRow, plan.cols.w1, beyond.t100Consts, beyond.t100Lut, beyond.t100Row, plan.protectRow);
    shadowBoundRow(src, p0, width, channels, max, base, consts, beyond.kept, beyond.t100Row, tRow);
  }
  return base;
}

/** base = the base layer B of each pixel of the row, interleaved RGB: a I + b per channel. */
function baseLayerRow(
  src: PixelData,
  p0: number,
  channels: number,
  max: number,
  runCol: Int32Array,
  runEnd: Int32Array,
  detailRow: Float64Array,
  w1: Float64Array,
  base: Float64Array,
): void {
  const inv = 1 / max;
  const runs = runCol.length;
  let p = p0;
  let x = 0;
  for (let run = 0; run < runs; run++) {
    const d = 6 * runCol[run];
    const end = runEnd[run];
    for (; x < end; x++, p += channels) {
      const wx = w1[x];
      const wx0 = 1 - wx;
      const o = 3 * x;
      base[o] = (wx0 * detailRow[d] + wx * detailRow[d + 6]) * (src[p] * inv) + (wx0 * detailRow[d + 1] + wx * detailRow[d + 7]);
      base[o + 1] = (wx0 * detailRow[d + 2] + wx * detailRow[d + 8]) * (src[p + 1] * inv) + (wx0 * detailRow[d + 3] + wx * detailRow[d + 9]);
      base[o + 2] = (wx0 * detailRow[d + 4] + wx * detailRow[d + 10]) * (src[p + 2] * inv) + (wx0 * detailRow[d + 5] + wx * detailRow[d + 11]);
    }
  }
}

/** Strength 0: the photo through exposure (or through quantisation alone). */
function outputRow(src: PixelData, dst: PixelData, p0: number, width: number, channels: number, max: number, oLut: OutputLut | null): void {
  const inv = 1 / max;
  const oScale = OUTPUT_LUT_SIZE_F64[0];
  for (let x = 0, p = p0; x < width; x++, p += channels) {
    const r = src[p] * inv;
    const g = src[p + 1] * inv;
    const b = src[p + 2] * inv;
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

/**
 * tRow = the transmission of each pixel of the row: clamp(a luma + b), then distance (tLut,
 * strength folded in) or strength alone (engine/adjustments.ts, inlined); with protect on,
 * protectRow = the weight protect raises t by for the colour of each pixel (protectTransmission).
 */
function adjustedTRow(
  src: PixelData,
  p0: number,
  channels: number,
  max: number,
  runCol: Int32Array,
  runEnd: Int32Array,
  coefRow: Float64Array,
  w1: Float64Array,
  consts: Float64Array,
  tLut: Float32Array | null,
  tRow: Float64Array,
  protectRow: Float64Array,
): void {
  const absK = consts[K_ABS_K];
  const protect = consts[K_PROTECT];
  const lr = LUMA[0];
  const lg = LUMA[1];
  const lb = LUMA[2];
  const inv = 1 / max;
  const tSize = tLut === null ? 0 : tLut.length - 2;
  const scaleT = tLut === null && absK !== 1;
  const runs = runCol.length;
  let p = p0;
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
      const wx = w1[x];
      const wx0 = 1 - wx;
      let t = (wx0 * a0 + wx * a1) * (lr * (src[p] * inv) + lg * (src[p + 1] * inv) + lb * (src[p + 2] * inv)) + (wx0 * b0 + wx * b1);
      t = t < 0 ? 0 : t > 1 ? 1 : t;
      if (tLut !== null) {
        const f = t * tSize;
        const i = f | 0;
        t = tLut[i] + (f - i) * (tLut[i + 1] - tLut[i]);
      } else if (scaleT) {
        t = 1 - absK * (1 - t);
      }
      if (protect !== 0) protectRow[x] = protect * (wx0 * m0 + wx * m1);
      tRow[x] = t;
    }
  }
}

/**
 * Strength beyond 100: t = max(t, shadowBound(t100, luma of B, luma of A, kept)) for each pixel
 * (engine/adjustments.ts, inlined), with B the base layer or, without one, the photo.
 */
function shadowBoundRow(
  src: PixelData,
  p0: number,
  width: number,
  channels: number,
  max: number,
  base: Float64Array | null,
  consts: Float64Array,
  kept: number,
  t100Row: Float64Array,
  tRow: Float64Array,
): void {
  const lr = LUMA[0];
  const lg = LUMA[1];
  const lb = LUMA[2];
  const lumaA = lr * consts[K_AR] + lg * consts[K_AG] + lb * consts[K_AB];
  const inv = 1 / max;
  for (let x = 0, p = p0; x < width; x++, p += channels) {
    const luma = base === null ? (lr * src[p] + lg * src[p + 1] + lb * src[p + 2]) * inv : lr * base[3 * x] + lg * base[3 * x + 1] + lb * base[3 * x + 2];
    const t100 = t100Row[x];
    if (luma >= lumaA || t100 <= 0) continue;
    const j100 = lumaA + (luma - lumaA) / t100;
    const room = lumaA - kept * (j100 > 0 ? j100 : 0);
    if (room <= 0) continue;
    let bound = (lumaA - luma) / room;
    if (bound > t100) bound = t100;
    if (tRow[x] < bound) tRow[x] = bound;
  }
}

/**
 * J = I + (B - A) (1 / max(t, t0) - 1), B the base layer (or I: J = (I - A) / max(t, t0) + A),
 * with protect on for the colour only (as in dehazeRow), clamped, then exposure and quantisation.
 */
function dehazeTRow(
  src: PixelData,
  dst: PixelData,
  p0: number,
  width: number,
  channels: number,
  max: number,
  tRow: Float64Array,
  protectRow: Float64Array,
  base: Float64Array | null,
  consts: Float64Array,
  oLut: OutputLut | null,
): void {
  const ar = consts[K_AR];
  const ag = consts[K_AG];
  const ab = consts[K_AB];
  const t0 = consts[K_T0];
  const protect = consts[K_PROTECT] !== 0;
  const lr = LUMA[0];
  const lg = LUMA[1];
  const lb = LUMA[2];
  const inv = 1 / max;
  const oScale = OUTPUT_LUT_SIZE_F64[0];
  for (let x = 0, p = p0; x < width; x++, p += channels) {
    const t = tRow[x];
    const s1 = 1 / (t > t0 ? t : t0) - 1;
    let r = src[p] * inv;
    let g = src[p + 1] * inv;
    let b = src[p + 2] * inv;
    let dR: number;
    let dG: number;
    let dB: number;
    if (base === null) {
      dR = r - ar;
      dG = g - ag;
      dB = b - ab;
    } else {
      const o = 3 * x;
      dR = base[o] - ar;
      dG = base[o + 1] - ag;
      dB = base[o + 2] - ab;
    }
    if (protect && protectRow[x] !== 0) {
      const tp = t + protectRow[x] * (1 - t);
      const sp = 1 / (tp > t0 ? tp : t0) - 1;
      const lumaPart = (lr * dR + lg * dG + lb * dB) * (s1 - sp);
      r += dR * sp + lumaPart;
      g += dG * sp + lumaPart;
      b += dB * sp + lumaPart;
    } else {
      r += dR * s1;
      g += dG * s1;
      b += dB * s1;
    }
    r = r < 0 ? 0 : r > 1 ? 1 : r;
    g = g < 0 ? 0 : g > 1 ? 1 : g;
    b = b < 0 ? 0 : b > 1 ? 1 : b;
    if (oLut !== null) {
      dst[p] = oLut[(r * oScale + 0.5) | 0];
      dst[p + 1] = oLut[(g * oScale + 0.5) | 0];
      dst[p + 2] = oLut[(b * oScale + 0.5) | 0];
    } else {
      // r, g, b are in [0, 1] here, so truncation after +0.5 rounds half up.
      dst[p] = (r * max + 0.5) | 0;
      dst[p + 1] = (g * max + 0.5) | 0;
      dst[p + 2] = (b * max + 0.5) | 0;
    }
  }
}

/**
 * Negative strength adds haze: the scattering model run forwards, I t + A (1 - t) = I + (A - I)
 * (1 - t), with protect on for the colour only, as in dehazeTRow.
 */
function addHazeRow(
  src: PixelData,
  dst: PixelData,
  p0: number,
  width: number,
  channels: number,
  max: number,
  tRow: Float64Array,
  protectRow: Float64Array,
  consts: Float64Array,
  oLut: OutputLut | null,
): void {
  const ar = consts[K_AR];
  const ag = consts[K_AG];
  const ab = consts[K_AB];
  const protect = consts[K_PROTECT] !== 0;
  const lr = LUMA[0];
  const lg = LUMA[1];
  const lb = LUMA[2];
  const inv = 1 / max;
  const oScale = OUTPUT_LUT_SIZE_F64[0];
  for (let x = 0, p = p0; x < width; x++, p += channels) {
    const t = tRow[x];
    const u = 1 - t;
    let r = src[p] * inv;
    let g = src[p + 1] * inv;
    let b = src[p + 2] * inv;
    const dR = ar - r;
    const dG = ag - g;
    const dB = ab - b;
    if (protect) {
      const up = (1 - protectRow[x]) * u;
      const lumaPart = (lr * dR + lg * dG + lb * dB) * (u - up);
      r += dR * up + lumaPart;
      g += dG * up + lumaPart;
      b += dB * up + lumaPart;
    } else {
      r += dR * u;
      g += dG * u;
      b += dB * u;
    }
    r = r < 0 ? 0 : r > 1 ? 1 : r;
    g = g < 0 ? 0 : g > 1 ? 1 : g;
    b = b < 0 ? 0 : b > 1 ? 1 : b;
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
 * The transmission after the sliders (the luma's: protect acts on colour only) as an 8-bit grey image: white = no haze
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
  const { width, height } = plan;
  const src = image.data;
  const max = maxSample(src);
  const out = new Uint8ClampedArray(width * height * channels);
  const withMask = plan.protect !== 0;
  for (let y = 0; y < height; y++) {
    prepareCoefRow(plan, y, withMask);
    transmissionRow(plan, src, y * width * image.channels, max);
    for (let x = 0; x < width; x++) {
      const v = Math.floor(plan.tRow[x] * 255 + 0.5);
      const q = (y * width + x) * channels;
      out[q] = v;
      out[q + 1] = v;
      out[q + 2] = v;
      if (channels === 4) out[q + 3] = 255;
    }
  }
  return { width, height, channels, data: out };
}
