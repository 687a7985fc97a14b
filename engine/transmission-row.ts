// The transmission of each pixel of a row after every slider, in JS and double precision: what
// the haze map shows (render.ts, renderHazeMap), with the slider math of engine/adjustments.ts
// inlined (tests check it against those functions, and the WebAssembly render against it). The
// render itself, 8- and 16-bit, runs in wasm/dehaze.ts (render-wasm.ts).
//
// The row loops run over column runs (RenderPlan.runCol) so few arrays are touched per pixel (V8
// re-checks each one on every iteration), and take typed arrays and numbers only: V8 optimises
// them early, during the first long row, and property loads it has no feedback for yet made it
// deoptimise and, in Node 20, settle on slower code about one time in two.
import { K_AB, K_AG, K_AR, K_ABS_K, K_PROTECT, type RenderPlan } from './render-plan';
import { LUMA } from './render-tables';
import type { PixelData } from './types';

/**
 * plan.tRow = the transmission of each pixel of the row after every slider (the one its luma is
 * recovered with; the render's, to single precision), the coefficient rows being prepared
 * (render-plan.ts, prepareCoefRow), and plan.protectRow the weight protect raises it by for the
 * colour; returns the row's base layer where the estimate has one and it was needed (`wantBase`,
 * or strength beyond 100), else null.
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
