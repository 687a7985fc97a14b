import type { Adjustments, ModelManifest } from './types';

/**
 * Slider ranges; the neutral value of every slider is 0. Strength 100 is the model's own estimate;
 * above it the estimate is extrapolated (strengthTransmission) for a user who wants more.
 */
export const ADJUSTMENT_RANGES: Readonly<Record<keyof Adjustments, readonly [number, number]>> = {
  strength: [-100, 200],
  distance: [-100, 100],
  protect: [0, 100],
  exposure: [-100, 100],
};

/** Every slider at its neutral value: the output equals the input exactly. */
export function neutralAdjustments(): Adjustments {
  return { strength: 0, distance: 0, protect: 0, exposure: 0 };
}

export function defaultAdjustments(manifest: ModelManifest): Adjustments {
  return clampAdjustments({ ...manifest.defaults });
}

/** Clamps to the ranges; a missing or non-finite value becomes neutral. */
export function clampAdjustments(a: Partial<Adjustments>): Adjustments {
  const out = neutralAdjustments();
  for (const key of Object.keys(ADJUSTMENT_RANGES) as (keyof Adjustments)[]) {
    const v = a[key];
    const [lo, hi] = ADJUSTMENT_RANGES[key];
    out[key] = typeof v === 'number' && Number.isFinite(v) ? Math.min(hi, Math.max(lo, v)) : 0;
  }
  return out;
}

export function isNeutral(a: Adjustments): boolean {
  return a.strength === 0 && a.distance === 0 && a.protect === 0 && a.exposure === 0;
}

/** Exposure slider end points in EV (shadow gain of the highlight-preserving curve). */
export const EXPOSURE_EV_AT_100 = 2;
/** At distance +-100, optical depth is scaled by up to 1 +- this (far) and 1 -+ this (near). */
export const DISTANCE_DEPTH_SWING = 0.4;
/** At protect 100 in a fully sky-like pixel, this share of the colour of the haze removal is given back. */
export const PROTECT_MAX_RAISE = 0.75;

/**
 * Distance reshapes optical depth d = -ln t around the scene's median depth d0:
 * d' = d (1 + c tanh((d - d0)/d0)), c = DISTANCE_DEPTH_SWING * distance/100. Negative values
 * shrink the depth of far pixels (their haze stays: aerial perspective) and deepen near ones (the
 * foreground clears); positive values reach further into the distance. The depth factor stays
 * within 1 +- c, so no slider position can drive t to zero; t' is smooth and monotonic in t
 * (checked by tests) and t = 1 stays 1.
 */
export function distanceCurve(t: number, distance: number, depthPivot: number): number {
  if (distance === 0) return t;
  if (t >= 1) return 1;
  if (t <= 0) return 0;
  const c = (DISTANCE_DEPTH_SWING * distance) / 100;
  const d = -Math.log(t);
  return Math.exp(-d * (1 + c * Math.tanh((d - depthPivot) / depthPivot)));
}

/**
 * Protect raises t towards 1 where the photo is bright and flat (weight 0..1), capping 1/t, for
 * the colour of the haze removal only: the render recovers the luma of B - A with t and the rest
 * with this t, so skies keep clean colour while sky-like fog is lifted all the same.
 */
export function protectTransmission(t: number, protect: number, weight: number): number {
  const p = (protect / 100) * weight;
  return t + PROTECT_MAX_RAISE * p * (1 - t);
}

/**
 * Strength scales the haze removed: t' = 1 - |k| (1 - t), k = strength/100, up to 100. Beyond
 * 100 it scales optical depth instead, t' = t^k (200 doubles the depth -ln t): a linear
 * extrapolation reaches t = 0 at moderate depths, while depth scaling thins every depth in
 * proportion, keeps t > 0 and t = 1 at 1, and meets the linear form at 100 with the same value
 * and slope. shadowBound then keeps what this does to shadows in check.
 */
export function strengthTransmission(t: number, strength: number): number {
  const k = Math.abs(strength) / 100;
  if (k <= 1) return 1 - k * (1 - t);
  return t <= 0 ? 0 : Math.pow(t, k);
}

/**
 * Beyond strength 100 no pixel's luma falls below this share of its luma at strength 100 when
 * strength reaches the top of its range (and proportionally less far between): shadows keep
 * their gradation, scaled, instead of clipping to black as an unbounded extrapolation does.
 */
export const LUMA_KEPT_AT_MAX_STRENGTH = 0.5;

/** The share of its strength-100 luma a pixel keeps at this strength (1 up to 100). */
export function lumaKept(strength: number): number {
  const top = ADJUSTMENT_RANGES.strength[1];
  const beyond = Math.min(1, Math.max(0, (strength - 100) / (top - 100)));
  return 1 - (1 - LUMA_KEPT_AT_MAX_STRENGTH) * beyond;
}

/**
 * The lowest t that strength beyond 100 may reach at a pixel whose base layer has luma `luma`
 * (airlight luma `lumaA`), given its t at strength 100 `t100` (every other slider applied): the
 * t at which J = (B - A)/t + A has `kept` of its strength-100 luma, or t100 itself where that
 * is lower. Pixels as bright as the airlight or brighter only brighten, and are not bounded (0).
 */
export function shadowBound(t100: number, luma: number, lumaA: number, kept: number): number {
  if (luma >= lumaA || t100 <= 0) return 0;
  const j100 = lumaA + (luma - lumaA) / t100;
  const room = lumaA - kept * (j100 > 0 ? j100 : 0);
  if (room <= 0) return 0;
  const bound = (lumaA - luma) / room;
  return bound < t100 ? bound : t100;
}

/** sRGB transfer functions (IEC 61966-2-1). */
export function srgbToLinear(v: number): number {
  return v <= 0.04045 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
}

export function linearToSrgb(v: number): number {
  return v <= 0.0031308 ? v * 12.92 : 1.055 * Math.pow(v, 1 / 2.4) - 0.055;
}

/**
 * Exposure as a highlight-preserving curve in linear light: f(x) = m x / (1 + (m - 1) x) with
 * m = 2^EV. Shadows and midtones get (up to) EV stops, white stays white, nothing clips, and
 * negative EV mirrors it (f is its own inverse family: m -> 1/m). Applied to each channel.
 */
export function exposureCurve(v: number, exposure: number): number {
  if (exposure === 0) return v;
  const m = Math.pow(2, (EXPOSURE_EV_AT_100 * exposure) / 100);
  const x = srgbToLinear(Math.min(1, Math.max(0, v)));
  return linearToSrgb((m * x) / (1 + (m - 1) * x));
}

/**
 * A function of one variable on [0,1] sampled for linear interpolation in the pixel loop
 * (transcendentals per pixel are too slow for a 2 MP preview at slider speed).
 */
export function sampleCurve(fn: (x: number) => number, size = 4096): Float32Array {
  const lut = new Float32Array(size + 2);
  for (let i = 0; i <= size; i++) lut[i] = fn(i / size);
  lut[size + 1] = lut[size]; // lets x = 1 interpolate without a bounds check
  return lut;
}

export function lookup(lut: Float32Array, x: number): number {
  const size = lut.length - 2;
  const f = (x <= 0 ? 0 : x >= 1 ? 1 : x) * size;
  const i = f | 0;
  const w = f - i;
  return lut[i] + w * (lut[i + 1] - lut[i]);
}
