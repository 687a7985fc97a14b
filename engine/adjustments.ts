import type { Adjustments, ModelManifest } from './types.js';

/** Slider ranges; the neutral value of every slider is 0. */
export const ADJUSTMENT_RANGES: Readonly<Record<keyof Adjustments, readonly [number, number]>> = {
  strength: [-100, 100],
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
/** At protect 100 in a fully sky-like pixel, this share of the haze removal is given back. */
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

/** Protect raises t towards 1 where the photo is bright and flat (weight 0..1), capping 1/t. */
export function protectTransmission(t: number, protect: number, weight: number): number {
  const p = (protect / 100) * weight;
  return t + PROTECT_MAX_RAISE * p * (1 - t);
}

/** Strength scales the haze removed: t' = 1 - |k| (1 - t), k = strength/100. */
export function strengthTransmission(t: number, strength: number): number {
  return 1 - (Math.abs(strength) / 100) * (1 - t);
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
