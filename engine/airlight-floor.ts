/**
 * The airlight floor (manifest reconstruction.airlightFloor; twin of recon.airlight_floor in
 * training/hazeless/recon.py).
 *
 * A scene is never brighter than white, so J = (I - A) / t + A <= 1 asks A (1 - t) >= I - t of
 * every hazy pixel: a near-white hazy sky means near-white haze. The network's A is drawn towards
 * the middle of the airlights it was trained on and comes out too dark in white haze, where it would
 * leave the sky brighter than white. The bound is taken over the guided filter's windows, A (1 -
 * mean t) >= mean I - mean t, which still follows from J <= 1, while a spot brighter than white
 * in a few pixels only (a light source, a highlight: a scene beyond white) is averaged down, as is
 * noise.
 */
import { lumaOf } from './luma';
import { claim, f64s, kernels } from './wasm-kernels';

/** Lays out the kernels' memory for the bound (wasm/guided.ts airlightBound). */
const OWNER = {};

export interface AirlightFloor {
  /** Share of the windows allowed to break the bound. */
  share: number;
  /** Windows whose mean t is at least this count for nothing: 1 - t is too small for t's error. */
  maxTransmission: number;
}

/**
 * A moved towards white until its luma reaches the bound that all but `share` of the windows meet
 * (its distance from white scaled, so its tint keeps its direction and no channel passes 1); A as
 * it was where it already meets it. meanLuma and meanT are the box means of the network-size luma
 * and t over the guided filter's windows.
 */
export function applyAirlightFloor(
  airlight: readonly [number, number, number],
  meanLuma: ArrayLike<number>,
  meanT: ArrayLike<number>,
  floor: AirlightFloor,
): [number, number, number] {
  const n = meanT.length;
  const k = kernels();
  const [luma, t, scratch] = claim(OWNER, [n * 8, n * 8, n * 8]);
  f64s(luma, n).set(meanLuma);
  f64s(t, n).set(meanT);
  // NaN: fewer windows count than may break the bound.
  const bound = k.airlightBound(luma, t, n, floor.maxTransmission, Math.max(1, Math.ceil(floor.share * n)), scratch);
  const [r, g, b] = airlight;
  const level = lumaOf(airlight);
  if (!(bound > level)) return [r, g, b];
  // Luma is linear: 1 - luma(A') = keep (1 - luma(A)) puts A' exactly on the bound.
  const keep = (1 - Math.min(bound, 1)) / Math.max(1 - level, 1e-6);
  return [1 - keep * (1 - r), 1 - keep * (1 - g), 1 - keep * (1 - b)];
}
