/**
 * The airlight floor (engine/airlight-floor.ts): on hazy scenes made with the haze model, it
 * raises an airlight that is too dark for a white haze, leaves a right one and a light source
 * alone, and agrees with its twin in training/hazeless/recon.py.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyAirlightFloor, type AirlightFloor } from '../../engine/airlight-floor';
import { boxMean, planarLuma } from '../../engine/guided-filter';
import { LUMA_B, LUMA_G, LUMA_R } from '../../engine/luma';
import { parseManifest } from '../../engine/manifest';
import { ROOT, mulberry32, runPython } from './engine-fixtures';

const H = 48;
const W = 64;
const R = 3;
const FLOOR: AirlightFloor = { share: 0.001, maxTransmission: 0.95 };
type RGB = [number, number, number];

const luma = (c: readonly number[]): number => LUMA_R * c[0] + LUMA_G * c[1] + LUMA_B * c[2];

/**
 * A scene under haze of airlight `air`: a bright sky (J = skyLevel) over the top third, far away,
 * and darker textured ground nearer; `spot` puts a light source (J beyond white, clipped in I)
 * in the ground. Returns the hazy luma and the true t, both at network size.
 */
function hazyScene(air: RGB, skyLevel: number, spot = false): { luma: Float64Array; t: Float64Array } {
  const rnd = mulberry32(7);
  const y = new Float64Array(H * W);
  const t = new Float64Array(H * W);
  for (let row = 0; row < H; row++) {
    for (let col = 0; col < W; col++) {
      const i = row * W + col;
      const sky = row < H / 3;
      t[i] = sky ? 0.3 : 0.45 + 0.45 * (row / H);
      const j = sky ? skyLevel : 0.15 + 0.5 * rnd();
      const emitter = spot && Math.abs(row - 36) <= 1 && Math.abs(col - 30) <= 1;
      const hazy = air.map((a) => (emitter ? 4 : j) * t[i] + a * (1 - t[i]));
      y[i] = Math.min(1, luma(hazy));
    }
  }
  return { luma: y, t };
}

function floorOf(scene: { luma: Float64Array; t: Float64Array }, airlight: RGB): RGB {
  return applyAirlightFloor(airlight, boxMean(scene.luma, H, W, R), boxMean(scene.t, H, W, R), FLOOR);
}

describe('airlight floor', () => {
  it('raises an airlight too dark for a white haze to where the sky is no brighter than white', () => {
    const scene = hazyScene([1, 1, 1], 0.97);
    const dark: RGB = [0.9, 0.92, 0.95];
    const raised = floorOf(scene, dark);
    expect(luma(raised)).toBeGreaterThan(0.97);
    expect(Math.max(...raised)).toBeLessThanOrEqual(1);
    // Moved straight towards white: the tint keeps its direction.
    expect((1 - raised[0]) / (1 - raised[2])).toBeCloseTo((1 - dark[0]) / (1 - dark[2]), 6);
    // Dehazed with the raised airlight, the sky stays within white.
    const a = luma(raised);
    expect((scene.luma[0] - a) / scene.t[0] + a).toBeLessThanOrEqual(1 + 1e-3);
  });

  it('leaves the true airlight, and any brighter one, as they are', () => {
    const air: RGB = [0.85, 0.85, 0.85];
    const scene = hazyScene(air, 0.8);
    expect(floorOf(scene, air)).toEqual(air);
    expect(floorOf(scene, [0.95, 0.93, 0.9])).toEqual([0.95, 0.93, 0.9]);
  });

  it('ignores a light source a few pixels wide', () => {
    const air: RGB = [0.8, 0.8, 0.8];
    const scene = hazyScene(air, 0.7, true);
    // Pixel by pixel the clipped light would ask for a white airlight...
    const i = 36 * W + 30;
    expect((scene.luma[i] - scene.t[i]) / (1 - scene.t[i])).toBeGreaterThan(0.95);
    // ...but over the guided filter's windows it does not.
    expect(floorOf(scene, air)).toEqual(air);
  });

  it('does nothing on a clear photo (t near 1 everywhere)', () => {
    const y = new Float64Array(H * W).fill(0.99);
    const t = new Float64Array(H * W).fill(0.97);
    expect(applyAirlightFloor([0.7, 0.7, 0.7], boxMean(y, H, W, R), boxMean(t, H, W, R), FLOOR)).toEqual([0.7, 0.7, 0.7]);
  });

  it('takes the bound all but share of the windows meet, as a sort of the bounds would (NaN ranked last)', () => {
    const rnd = mulberry32(11);
    /** The rule as first written: every counting window's bound sorted, the k-th from the top. */
    const sorted = (air: RGB, meanLuma: Float64Array, meanT: Float64Array, floor: AirlightFloor): RGB => {
      const bounds: number[] = [];
      for (let i = 0; i < meanT.length; i++) if (meanT[i] < floor.maxTransmission) bounds.push((meanLuma[i] - meanT[i]) / Math.max(1 - meanT[i], 1e-6));
      const k = Math.max(1, Math.ceil(floor.share * meanT.length));
      const bound = Float64Array.from(bounds).sort()[bounds.length - k];
      const level = luma(air);
      if (bounds.length < k || !(bound > level)) return [...air];
      const keep = (1 - Math.min(bound, 1)) / Math.max(1 - level, 1e-6);
      return air.map((a) => 1 - keep * (1 - a)) as RGB;
    };
    for (const n of [1, 2, 10, 500]) {
      for (const share of [1e-6, 0.05, 0.3]) {
        for (const nans of [0, 1, 3]) {
          const meanLuma = Float64Array.from({ length: n }, () => 0.3 + 0.7 * rnd());
          const meanT = Float64Array.from({ length: n }, () => 0.1 + 0.9 * rnd());
          for (let i = 0; i < Math.min(nans, n); i++) meanLuma[Math.floor(rnd() * n)] = NaN;
          const air: RGB = [0.4, 0.42, 0.45];
          const floor = { share, maxTransmission: 0.95 };
          expect(applyAirlightFloor(air, meanLuma, meanT, floor), `n ${n} share ${share} NaN ${nans}`).toEqual(sorted(air, meanLuma, meanT, floor));
        }
      }
    }
  });

  it('agrees with training/hazeless/recon.py airlight_floor', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'airlight-floor-'));
    const rnd = mulberry32(3);
    const rgb = new Float32Array(3 * H * W);
    const t = new Float32Array(H * W);
    for (let i = 0; i < H * W; i++) {
      // Bright, hazy and noisy, so that the floor acts on the darker airlights.
      t[i] = 0.3 + 0.3 * rnd();
      for (let c = 0; c < 3; c++) rgb[c * H * W + i] = Math.min(1, 0.8 + 0.25 * rnd());
    }
    writeFileSync(path.join(dir, 'rgb.f32'), Buffer.from(rgb.buffer));
    writeFileSync(path.join(dir, 't.f32'), Buffer.from(t.buffer));
    const airlights: RGB[] = [[0.6, 0.62, 0.65], [0.8, 0.7, 0.5], [0.99, 0.99, 0.99]];
    const py = JSON.parse(
      runPython(
        `
import json, sys
import numpy as np, torch
from hazeless.recon import airlight_floor
d, H, W, R = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
rgb = torch.from_numpy(np.fromfile(d + '/rgb.f32', dtype='<f4').reshape(1, 3, H, W))
t = torch.from_numpy(np.fromfile(d + '/t.f32', dtype='<f4').reshape(1, 1, H, W))
out = [airlight_floor(rgb, t, torch.tensor([a]), ${FLOOR.share}, ${FLOOR.maxTransmission}, R)[0].tolist() for a in json.loads(sys.argv[5])]
print(json.dumps(out))
`,
        [dir, String(H), String(W), String(R), JSON.stringify(airlights)],
      ),
    ) as RGB[];
    const meanY = boxMean(planarLuma(rgb, H, W), H, W, R);
    const meanT = boxMean(t, H, W, R);
    airlights.forEach((a, k) => {
      const ours = applyAirlightFloor(a, meanY, meanT, FLOOR);
      ours.forEach((v, c) => expect(Math.abs(v - py[k][c])).toBeLessThan(1e-4));
    });
    // The first two were raised (the test compares a floor that acts), the white one was not.
    expect(luma(py[0])).toBeGreaterThan(luma(airlights[0]) + 0.05);
    expect(luma(py[1])).toBeGreaterThan(luma(airlights[1]) + 0.05);
    expect(py[2]).toEqual(airlights[2].map((v) => Math.fround(v)));
  });

  it('is read from the manifest: absent means off, and a share of 0 is refused', () => {
    const shipped = JSON.parse(readFileSync(path.join(ROOT, 'models/hazeless-v1.json'), 'utf8')) as {
      reconstruction: Record<string, unknown>;
    };
    expect(parseManifest(shipped).reconstruction.airlightFloor).toEqual(FLOOR);
    const without = structuredClone(shipped);
    delete without.reconstruction.airlightFloor;
    expect(parseManifest(without).reconstruction.airlightFloor).toBeNull();
    const zero = structuredClone(shipped);
    zero.reconstruction.airlightFloor = { share: 0, maxTransmission: 0.95 };
    expect(() => parseManifest(zero)).toThrow(/airlightFloor.share/);
  });
});
