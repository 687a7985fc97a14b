// The render plan: everything the WebAssembly kernel needs for a render (render-wasm.ts copies it
// into its memory), set up once per render from the estimate, the manifest and the sliders.
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
   * one after it: the kernel interpolates horizontally run by run.
   */
  runCol: Int32Array;
  runEnd: Int32Array;
  /**
   * Strength beyond 100 only (the rest of the plan then renders strength 100): the depth scaling
   * t -> t^k as a table, and the share of its strength-100 luma each pixel keeps (shadowBound).
   */
  beyond: { depthLut: Float32Array; kept: number } | null;
  /** The floor of t in the recovery (manifest reconstruction.t0). */
  t0: number;
  /** |k| up to 100 (the depth scaling beyond): t' = 1 - |k| (1 - t). */
  absK: number;
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
  if (estimate.detailA !== null && estimate.detailB !== null && (estimate.detailA.length !== 3 * nw * nh || estimate.detailB.length !== 3 * nw * nh)) {
    throw new Error('estimate: detail planes do not match 3 x netWidth x netHeight');
  }
  const cols = bilinearTaps(nw, full.fullWidth, full.left, image.width);
  // Beyond 100 everything but the depth scaling renders strength 100.
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
    t0: manifest.reconstruction.t0,
    absK: Math.abs(upTo100) / 100,
    beyond: adj.strength > 100 ? { depthLut: depthScaleLut(adj.strength), kept: lumaKept(adj.strength) } : null,
  };
}
