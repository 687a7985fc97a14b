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
import { LUMA_B, LUMA_G, LUMA_R } from './luma';

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
  const bounds = new Float64Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) {
    const t = meanT[i];
    if (t < floor.maxTransmission) bounds[count++] = (meanLuma[i] - t) / Math.max(1 - t, 1e-6);
  }
  const k = Math.max(1, Math.ceil(floor.share * n));
  const [r, g, b] = airlight;
  if (count < k) return [r, g, b];
  const bound = bounds.subarray(0, count).sort()[count - k];
  const level = LUMA_R * r + LUMA_G * g + LUMA_B * b;
  if (!(bound > level)) return [r, g, b];
  // Luma is linear: 1 - luma(A') = keep (1 - luma(A)) puts A' exactly on the bound.
  const keep = (1 - Math.min(bound, 1)) / Math.max(1 - level, 1e-6);
  return [1 - keep * (1 - r), 1 - keep * (1 - g), 1 - keep * (1 - b)];
}
