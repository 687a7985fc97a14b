// The pixel kernels of the render: one row at a time, with the slider math of
// engine/adjustments.ts inlined (tests check the kernels against those functions).
import { maxSample } from './pixel-format';
import { K_AB, K_ABS_K, K_AG, K_AR, K_PROTECT, K_T0, prepareCoefRow, type RenderPlan } from './render-plan';
import { LUMA, OUTPUT_LUT_SIZE_F64, outputLut, type OutputLut } from './render-tables';
import { dehazeRowsWasm } from './render-wasm';
import type { PixelData } from './types';

/**
 * Rows y0..y1 of the render. 8-bit photos (every preview, most exports) render on WebAssembly
 * SIMD (render-wasm.ts, wasm/dehaze.ts), 16-bit ones in the JS kernels below. Both carry the same
 * math; tests hold them to one 8-bit step of each other.
 *
 * The JS kernels (16-bit exports, and the haze map's t) inline the slider math of
 * engine/adjustments.ts, and every branch depends only on per-render constants. Loops run over
 * column runs (RenderPlan.runCol) so few arrays are touched per pixel (V8 re-checks each one on
 * every iteration), and each row is one call of a row kernel. They take typed arrays and numbers
 * only: V8 optimises them early, during the first long row, and property loads it has no
 * feedback for yet made it deoptimise and, in Node 20, settle on slower code about one time in two.
 */
export function renderRows(plan: RenderPlan, src: PixelData, dst: PixelData, y0: number, y1: number): void {
  if (!(dst instanceof Uint16Array)) {
    // 8-bit: the output has the input's depth (render.ts, prepareOutput).
    dehazeRowsWasm(plan, src as Uint8Array, dst, y0, y1);
    return;
  }
  const { width, channels } = plan;
  // Alpha (and everything else) copied natively up front; the loops then write only RGB.
  if (channels === 4 && src !== dst) dst.set(src.subarray(y0 * width * 4, y1 * width * 4), y0 * width * 4);
  const protect = plan.protect !== 0;
  for (let y = y0; y < y1; y++) {
    if (plan.strength !== 0) prepareCoefRow(plan, y, protect);
    renderRow(plan, src, dst, y);
  }
}

/**
 * Any slider combination and bit depth, in passes over a row of t (each a short loop with few
 * live values; one long fused loop spills registers and serialises on its dependency chain).
 * The arithmetic is that of wasm/dehaze.ts and adjustedT.
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
  const base = transmissionRow(plan, src, p0, max, true);
  if (k > 0) {
    dehazeTRow(src, dst, p0, width, channels, max, tRow, plan.protectRow, base, consts, oLut);
  } else {
    addHazeRow(src, dst, p0, width, channels, max, tRow, plan.protectRow, consts, oLut);
  }
}

/**
 * plan.tRow = the transmission of each pixel of the row after every slider (the one its luma is
 * recovered with), the coefficient rows being prepared; returns the row's base layer where the
 * estimate has one and it was needed (`wantBase`, or strength beyond 100), else null. Shared by
 * the 16-bit render and the haze map, so the map shows the t the render uses (the 8-bit render's
 * to single precision).
 */
export function transmissionRow(plan: RenderPlan, src: PixelData, p0: number, max: number, wantBase: boolean): Float64Array | null {
  const { width, channels, tRow, consts } = plan;
  adjustedTRow(src, p0, channels, max, plan.runCol, plan.runEnd, plan.coefRow, plan.cols.w1, consts, plan.tLut, tRow, plan.protectRow);
  const base = plan.detail && plan.strength > 0 && (wantBase || plan.beyond !== null) ? plan.baseRow : null;
  if (base !== null) baseLayerRow(src, p0, channels, max, plan.runCol, plan.runEnd, plan.detailRow, plan.cols.w1, base);
  const beyond = plan.beyond;
  if (beyond !== null) beyondRow(src, p0, width, channels, max, base, consts, beyond.depthLut, beyond.kept, tRow);
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

/**
 * Writes one pixel: r, g, b (0..1, clamped here) through exposure and quantisation (oLut), or
 * quantisation alone; truncation after +0.5 rounds half up. Small enough for V8 to inline into
 * the row loops.
 */
function storeRgb(dst: PixelData, p: number, r: number, g: number, b: number, max: number, oLut: OutputLut | null, oScale: number): void {
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

/** Strength 0: the photo through exposure (or through quantisation alone). */
function outputRow(src: PixelData, dst: PixelData, p0: number, width: number, channels: number, max: number, oLut: OutputLut | null): void {
  const inv = 1 / max;
  const oScale = OUTPUT_LUT_SIZE_F64[0];
  for (let x = 0, p = p0; x < width; x++, p += channels) {
    const r = src[p] * inv;
    const g = src[p + 1] * inv;
    const b = src[p + 2] * inv;
    storeRgb(dst, p, r, g, b, max, oLut, oScale);
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
 * Strength beyond 100, on tRow holding t at strength 100: t = max(t100^k (depthLut),
 * shadowBound(t100, luma of B, luma of A, kept)) for each pixel (engine/adjustments.ts, inlined),
 * with B the base layer or, without one, the photo.
 */
function beyondRow(
  src: PixelData,
  p0: number,
  width: number,
  channels: number,
  max: number,
  base: Float64Array | null,
  consts: Float64Array,
  depthLut: Float32Array,
  kept: number,
  tRow: Float64Array,
): void {
  const size = depthLut.length - 2;
  const lr = LUMA[0];
  const lg = LUMA[1];
  const lb = LUMA[2];
  const lumaA = lr * consts[K_AR] + lg * consts[K_AG] + lb * consts[K_AB];
  const inv = 1 / max;
  for (let x = 0, p = p0; x < width; x++, p += channels) {
    const luma = base === null ? (lr * src[p] + lg * src[p + 1] + lb * src[p + 2]) * inv : lr * base[3 * x] + lg * base[3 * x + 1] + lb * base[3 * x + 2];
    const t100 = tRow[x];
    const f = t100 * size;
    const i = f | 0;
    const t = depthLut[i] + (f - i) * (depthLut[i + 1] - depthLut[i]);
    tRow[x] = t;
    if (luma >= lumaA || t100 <= 0) continue;
    const j100 = lumaA + (luma - lumaA) / t100;
    const room = lumaA - kept * (j100 > 0 ? j100 : 0);
    if (room <= 0) continue;
    let bound = (lumaA - luma) / room;
    if (bound > t100) bound = t100;
    if (t < bound) tRow[x] = bound;
  }
}

/**
 * J = I + (B - A) (1 / max(t, t0) - 1), B the base layer (or I: J = (I - A) / max(t, t0) + A),
 * with protect on for the colour only (as in wasm/dehaze.ts), clamped, then exposure and quantisation.
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
    storeRgb(dst, p, r, g, b, max, oLut, oScale);
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
    storeRgb(dst, p, r, g, b, max, oLut, oScale);
  }
}

