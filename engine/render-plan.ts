// The render plan: everything a row of the render needs, set up once per render from the
// estimate, the manifest and the sliders, and the coefficient rows interpolated for each row.
import { PROTECT_MAX_RAISE, clampAdjustments, lumaKept } from './adjustments';
import { bilinearTaps, type AxisTaps } from './bilinear';
import { assertImage } from './pixel-format';
import { depthScaleLut, transmissionLut } from './render-tables';
import type { Adjustments, HazeEstimate, ImageBuffer, ModelManifest, Region } from './types';

/** Everything a row needs, set up once per render (all O(width + net size)). */
export interface RenderPlan {
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
   * Strength beyond 100 only (the rest of the plan then renders strength 100): the depth scaling
   * t -> t^k as a table, and the share of its strength-100 luma each pixel keeps (beyondRow).
   */
  beyond: { depthLut: Float32Array; kept: number } | null;
  /**
   * The numbers the pixel kernels use, as a Float64Array (see K_AR...): read from one, they are
   * unboxed doubles for V8. Passed as arguments or read from fields, a value seen once as an
   * integer (strength 1, protect 0) is re-checked and converted on every iteration forever after.
   */
  consts: Float64Array;
}

/** Indices into RenderPlan.consts. */
export const K_AR = 0;
export const K_AG = 1;
export const K_AB = 2;
export const K_T0 = 3;
/** |strength| / 100 */
export const K_ABS_K = 4;
/** protect / 100 * PROTECT_MAX_RAISE */
export const K_PROTECT = 5;

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

export function makePlan(image: ImageBuffer, estimate: HazeEstimate, manifest: ModelManifest, adjustments: Adjustments, region?: Region): RenderPlan {
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
  // Beyond 100 every pass but beyondRow renders strength 100.
  const upTo100 = Math.min(adj.strength, 100);
  const protect = (adj.protect / 100) * PROTECT_MAX_RAISE;
  return {
    width: image.width,
    height: image.height,
    channels: image.channels,
    cols,
    rows: bilinearTaps(nh, full.fullHeight, full.top, image.height),
    netWidth: nw,
    estimate,
    strength: adj.strength / 100,
    protect,
    tLut: transmissionLut(adj.distance, upTo100, estimate.depthPivot),
    exposure: adj.exposure,
    ...columnRuns(cols, image.width),
    coefRow: new Float64Array(3 * (nw + 1)),
    detail,
    detailRow: identityDetailRow(nw),
    baseRow: new Float64Array(detail ? 3 * image.width : 0),
    consts: renderConstants(estimate.airlight, manifest.reconstruction.t0, upTo100 / 100, protect),
    tRow: new Float64Array(image.width),
    protectRow: new Float64Array(image.width),
    beyond: adj.strength > 100 ? { depthLut: depthScaleLut(adj.strength), kept: lumaKept(adj.strength) } : null,
  };
}

/** B = I: a = 1 and b = 0 for every column (and the copy of the last). */
function identityDetailRow(netWidth: number): Float64Array {
  const row = new Float64Array(6 * (netWidth + 1));
  for (let q = 0; q < row.length; q += 2) row[q] = 1;
  return row;
}

/** plan.coefRow (and detailRow) for output row y: the vertical half of the bilinear upsampling. */
export function prepareCoefRow(plan: RenderPlan, y: number, withMask: boolean): void {
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
