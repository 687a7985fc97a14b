// Lookup tables of the render: the slider curves of engine/adjustments.ts sampled once per
// setting, for the WebAssembly kernel.
import { distanceCurve, exposureCurve, sampleCurve, strengthTransmission } from './adjustments';

/** 8-bit exposure and quantisation in one table: J (0..1) at this resolution -> output sample. */
const OUTPUT_LUT_SIZE = 8192;

// Slider drags re-render with the same curves many times; the last tables are kept.
let lastOutputLut: { exposure: number; lut: Uint8Array } | null = null;
let lastExposureLut: { exposure: number; lut: Float32Array } | null = null;
let lastTLut: { distance: number; strength: number; pivot: number; lut: Float32Array } | null = null;
let lastDepthLut: { strength: number; lut: Float32Array } | null = null;

/** Exposure for 8-bit output: J (0..1) times OUTPUT_LUT_SIZE, rounded, -> the output sample (8 KB: stays in L1). */
export function outputLut(exposure: number): Uint8Array {
  if (lastOutputLut?.exposure === exposure) return lastOutputLut.lut;
  const lut = new Uint8Array(OUTPUT_LUT_SIZE + 1);
  for (let i = 0; i <= OUTPUT_LUT_SIZE; i++) lut[i] = Math.floor(exposureCurve(i / OUTPUT_LUT_SIZE, exposure) * 255 + 0.5);
  lastOutputLut = { exposure, lut };
  return lut;
}

/** Exposure for 16-bit output: the curve itself, sampled to be interpolated (sampleCurve). */
export function exposureLut(exposure: number): Float32Array {
  if (lastExposureLut?.exposure === exposure) return lastExposureLut.lut;
  // 8192 samples: within 0.6 of a 16-bit step of the curve at every exposure (4096: 0.75 at 100).
  const lut = sampleCurve((v) => exposureCurve(v, exposure), 8192);
  lastExposureLut = { exposure, lut };
  return lut;
}

/**
 * distance and strength (up to 100) as one curve of t; null without distance, where the pixel
 * loop's linear strength is enough.
 */
export function transmissionLut(distance: number, strength: number, pivot: number): Float32Array | null {
  if (distance === 0) return null;
  const hit = lastTLut;
  if (hit !== null && hit.distance === distance && hit.strength === strength && hit.pivot === pivot) return hit.lut;
  const lut = sampleCurve((t) => strengthTransmission(distanceCurve(t, distance, pivot), strength), 4096);
  lastTLut = { distance, strength, pivot, lut };
  return lut;
}

/** Strength beyond 100 applied to t at strength 100 (depth scaling, strengthTransmission). */
export function depthScaleLut(strength: number): Float32Array {
  if (lastDepthLut?.strength === strength) return lastDepthLut.lut;
  const lut = sampleCurve((t) => strengthTransmission(t, strength), 4096);
  lastDepthLut = { strength, lut };
  return lut;
}

