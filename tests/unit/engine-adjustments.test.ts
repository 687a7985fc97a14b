/** Slider math and manifest validation: ranges, neutrality, smoothness and monotonicity. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  clampAdjustments,
  defaultAdjustments,
  distanceCurve,
  exposureCurve,
  linearToSrgb,
  lookup,
  protectTransmission,
  sampleCurve,
  srgbToLinear,
  strengthTransmission,
  shadowBound,
  lumaKept,
  LUMA_KEPT_AT_MAX_STRENGTH,
} from '../../engine/adjustments';
import { neutralAdjustments, parseManifest } from '../../engine/index';
import { ROOT } from './engine-fixtures';

const rawManifest = (): Record<string, any> => JSON.parse(readFileSync(path.join(ROOT, 'models/hazeless-v1.json'), 'utf8'));
const grid = (n: number): number[] => Array.from({ length: n + 1 }, (_, i) => i / n);

describe('adjustment values', () => {
  it('defaults come from the manifest, clamped to the ranges', () => {
    const raw = rawManifest();
    raw.defaults = { strength: 70, distance: -20, protect: 30, exposure: 10 };
    expect(defaultAdjustments(parseManifest(raw))).toEqual({ strength: 70, distance: -20, protect: 30, exposure: 10 });
  });

  it('clamps out-of-range values and makes missing or NaN ones neutral', () => {
    expect(clampAdjustments({ strength: 250, distance: -300, protect: -5, exposure: Number.NaN })).toEqual({
      strength: 200,
      distance: -100,
      protect: 0,
      exposure: 0,
    });
    expect(clampAdjustments({})).toEqual(neutralAdjustments());
  });
});

describe('distance curve', () => {
  const pivot = 0.6;
  it('is the identity at 0 and keeps t = 1 and t = 0 fixed', () => {
    for (const t of grid(50)) expect(distanceCurve(t, 0, pivot)).toBe(t);
    for (const d of [-100, -30, 45, 100]) {
      expect(distanceCurve(1, d, pivot)).toBe(1);
      expect(distanceCurve(0, d, pivot)).toBe(0);
    }
  });

  it('is monotonic and continuous in t, and monotonic in the slider', () => {
    for (const d of [-100, -50, -10, 10, 50, 100]) {
      let prev = 0;
      for (const t of grid(4000).slice(1)) {
        const v = distanceCurve(t, d, pivot);
        expect(v).toBeGreaterThanOrEqual(prev);
        expect(v - prev).toBeLessThan(0.01);
        prev = v;
      }
    }
    // Far pixels (t below the pivot's) get more haze removal (lower t') as the slider rises,
    // near pixels less.
    const far = 0.15;
    const near = 0.9;
    let prevFar = 1;
    let prevNear = 0;
    for (const d of [-100, -50, 0, 50, 100]) {
      expect(distanceCurve(far, d, pivot)).toBeLessThan(prevFar);
      expect(distanceCurve(near, d, pivot)).toBeGreaterThan(prevNear);
      prevFar = distanceCurve(far, d, pivot);
      prevNear = distanceCurve(near, d, pivot);
    }
  });

  it('never takes optical depth beyond 1 +- 40% of the original', () => {
    for (const t of grid(200).slice(1, -1)) {
      for (const d of [-100, 100]) {
        const ratio = Math.log(distanceCurve(t, d, pivot)) / Math.log(t);
        expect(ratio).toBeGreaterThan(0.6 - 1e-9);
        expect(ratio).toBeLessThan(1.4 + 1e-9);
      }
    }
  });
});

describe('strength and protect', () => {
  it('strength scales the haze removed and is the identity at 100', () => {
    expect(strengthTransmission(0.3, 100)).toBeCloseTo(0.3, 15);
    expect(strengthTransmission(0.3, 0)).toBe(1);
    expect(strengthTransmission(0.3, 50)).toBeCloseTo(0.65, 12);
    expect(strengthTransmission(0.3, -50)).toBeCloseTo(0.65, 12);
  });

  it('beyond 100 strength scales optical depth: continuous at 100, monotonic, t stays in (0, 1]', () => {
    expect(strengthTransmission(0.3, 150)).toBeCloseTo(0.3 ** 1.5, 12);
    expect(strengthTransmission(0.3, 200)).toBeCloseTo(0.3 ** 2, 12);
    for (const t of grid(50)) {
      expect(strengthTransmission(t, 100.001)).toBeCloseTo(strengthTransmission(t, 100), 4);
      let previous = strengthTransmission(t, 100);
      for (let s = 110; s <= 200; s += 10) {
        const next = strengthTransmission(t, s);
        expect(next).toBeLessThanOrEqual(previous);
        if (t > 0) expect(next).toBeGreaterThan(0);
        previous = next;
      }
    }
    expect(strengthTransmission(1, 200)).toBe(1);
  });

  it('the shadow bound keeps the promised share of the strength-100 luma and never goes above t at 100', () => {
    const lumaA = 0.82;
    expect(lumaKept(100)).toBe(1);
    expect(lumaKept(200)).toBe(LUMA_KEPT_AT_MAX_STRENGTH);
    const J = (luma: number, t: number): number => (luma - lumaA) / t + lumaA;
    for (const t100 of [0.3, 0.5, 0.9]) {
      for (const luma of [0.3, 0.5, 0.7, 0.81]) {
        for (const strength of [120, 160, 200]) {
          const kept = lumaKept(strength);
          const bound = shadowBound(t100, luma, lumaA, kept);
          expect(bound).toBeLessThanOrEqual(t100);
          // Where the bound is below t100 it is exact: J keeps `kept` of its luma at 100 there.
          if (bound > 0 && bound < t100) expect(J(luma, bound)).toBeCloseTo(kept * J(luma, t100), 10);
          if (bound === t100) expect(J(luma, t100)).toBeLessThanOrEqual(0);
        }
      }
      // Brighter than the airlight: lowering t only brightens, nothing to bound.
      expect(shadowBound(t100, 0.9, lumaA, 0.5)).toBe(0);
    }
  });

  it('protect only raises t, never above 1, and does nothing where the mask is 0', () => {
    for (const t of grid(20)) {
      expect(protectTransmission(t, 100, 0)).toBe(t);
      expect(protectTransmission(t, 0, 1)).toBe(t);
      const raised = protectTransmission(t, 100, 1);
      expect(raised).toBeGreaterThanOrEqual(t);
      expect(raised).toBeLessThanOrEqual(1);
    }
    // Gain 1/t is capped where protection is full.
    expect(1 / protectTransmission(0.02, 100, 1)).toBeLessThan(1.4);
  });
});

describe('exposure curve', () => {
  it('keeps black and white, is monotonic, brightens for + and darkens for -', () => {
    for (const e of [-100, -40, 40, 100]) {
      expect(exposureCurve(0, e)).toBeCloseTo(0, 12);
      expect(exposureCurve(1, e)).toBeCloseTo(1, 12);
      let prev = -1;
      for (const v of grid(1000)) {
        const y = exposureCurve(v, e);
        expect(y).toBeGreaterThan(prev);
        prev = y;
        if (v > 0 && v < 1) expect(Math.sign(y - v)).toBe(Math.sign(e));
      }
    }
  });

  it('is +2 EV of shadow gain at +100 (in linear light)', () => {
    const x = 0.001;
    const y = srgbToLinear(exposureCurve(linearToSrgb(x), 100));
    expect(y / x).toBeCloseTo(4, 1);
  });

  it('sampled curves stay within a thousandth of the function', () => {
    const fn = (v: number): number => exposureCurve(v, 70);
    const lut = sampleCurve(fn, 4096);
    for (const v of grid(9973)) expect(Math.abs(lookup(lut, v) - fn(v))).toBeLessThan(1e-3);
  });
});

describe('parseManifest', () => {
  it('accepts the shipped manifest', () => {
    const m = parseManifest(rawManifest());
    expect(m.input.name).toBe(rawManifest().input.name);
    expect(m.reconstruction.guidedFilter.radiusFraction).toBe(rawManifest().reconstruction.guidedFilter.radiusFraction);
  });

  it('names the offending field', () => {
    const noT0 = rawManifest();
    delete noT0.reconstruction.t0;
    expect(() => parseManifest(noT0)).toThrow(/reconstruction\.t0/);
    const badResample = rawManifest();
    badResample.input.resample = 'bicubic';
    expect(() => parseManifest(badResample)).toThrow(/input\.resample/);
    const badMultiple = rawManifest();
    badMultiple.input.multiple = 0;
    expect(() => parseManifest(badMultiple)).toThrow(/input\.multiple/);
    expect(() => parseManifest(null)).toThrow(/manifest/);
  });
});
