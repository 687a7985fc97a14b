/**
 * The TypeScript reconstruction against training/hazeless/recon.py, computed by Python at test
 * time on a generated input: area downscale, network size, guided filter, bilinear upsampling
 * and the final recovery.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { areaDownscale } from '../../engine/area-downscale';
import { bilinearTaps } from '../../engine/bilinear';
import { guideRadius, guidedCoefficients, planarLuma } from '../../engine/guided-filter';
import { networkSize } from '../../engine/network-size';
import { protectMask } from '../../engine/protect-mask';
import { renderDehazedSync, type HazeEstimate, type ModelManifest } from '../../engine/index';
import { mulberry32, readF32, realManifest, runPython, syntheticHazyImage } from './engine-fixtures';

const W = 83;
const H = 61;
const MAX_SIDE = 40;
const RADIUS_FRACTION = 0.1;
const EPS = 1e-3;
const T0 = 0.05;
const AIRLIGHT: [number, number, number] = [0.81, 0.83, 0.87];
/** The test image's flat, bright parts fall in the middle of the mask's ramp (0.6 to 0.9 of its luma). */
const MASK_AIRLIGHT: [number, number, number] = [0.97, 0.98, 1];

const PY = `
import json, sys
import numpy as np, torch, torch.nn.functional as F
from hazeless.recon import ReconParams, area_resize, grey, guide_radius, guided_coefficients, network_size, protect_mask, recover, upsample_transmission
d = sys.argv[1]
cfg = json.load(open(d + '/cfg.json'))
H, W = cfg['height'], cfg['width']
img = np.fromfile(d + '/image.u8', dtype=np.uint8).reshape(H, W, 3).astype(np.float32) / 255.0
x = torch.from_numpy(img).permute(2, 0, 1)[None].contiguous()
h, w = network_size(H, W, cfg['maxSide'])
lr = area_resize(x, (h, w))
t_lr = torch.from_numpy(np.fromfile(d + '/t.f32', dtype='<f4').reshape(1, 1, h, w))
p = ReconParams(max_side=cfg['maxSide'], multiple=16, t0=cfg['t0'], radius_fraction=cfg['radiusFraction'], epsilon=cfg['epsilon'])
r = guide_radius(h, w, p.radius_fraction)
a, b = guided_coefficients(grey(lr), t_lr, r, p.epsilon)
a_hr = F.interpolate(a, size=(H, W), mode='bilinear', align_corners=False)
t_hr = upsample_transmission(lr, t_lr, x, p)
A = torch.tensor([cfg['airlight']], dtype=torch.float32)
j = torch.clamp(recover(x, t_hr, A, p.t0), 0, 1)
def dump(name, t): t.detach().contiguous().numpy().astype('<f4').tofile(d + '/' + name)
dump('mask.f32', protect_mask(lr, torch.tensor(cfg['maskAirlight'], dtype=torch.float32), p))
dump('lr.f32', lr); dump('a.f32', a); dump('b.f32', b); dump('a_hr.f32', a_hr); dump('t_hr.f32', t_hr); dump('j.f32', j[0].permute(1, 2, 0))
sizes = [list(network_size(hh, ww, m)) for hh, ww, m in cfg['probes']]
print(json.dumps({'net': [h, w], 'r': r, 'sizes': sizes}))
`;

// Includes exact halves (Python rounds them to even) and no-downscale cases.
const PROBES: [number, number, number][] = [
  [3, 8, 4], [5, 8, 4], [7, 8, 4], [1, 1, 512], [4000, 6000, 512], [3000, 4000, 512],
  [333, 1000, 500], [1001, 3, 500], [512, 384, 512], [5472, 3648, 512], [25, 100, 10], [35, 100, 10],
];

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

describe('reconstruction vs training/hazeless/recon.py', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'engine-recon-'));
  const image = syntheticHazyImage(W, H, 7);
  const net = networkSize(H, W, MAX_SIDE);
  const rnd = mulberry32(99);
  const tLr = new Float32Array(net.height * net.width);
  for (let y = 0; y < net.height; y++) {
    for (let x = 0; x < net.width; x++) {
      tLr[y * net.width + x] = Math.min(1, 0.05 + 0.9 * (y / net.height) + 0.08 * Math.sin(x / 3) + 0.04 * rnd());
    }
  }
  let py: { net: [number, number]; r: number; sizes: [number, number][] };

  beforeAll(() => {
    writeFileSync(path.join(dir, 'image.u8'), image.data);
    writeFileSync(path.join(dir, 't.f32'), new Uint8Array(tLr.buffer));
    const cfg = { height: H, width: W, maxSide: MAX_SIDE, t0: T0, radiusFraction: RADIUS_FRACTION, epsilon: EPS, airlight: AIRLIGHT, maskAirlight: MASK_AIRLIGHT, probes: PROBES };
    writeFileSync(path.join(dir, 'cfg.json'), JSON.stringify(cfg));
    py = JSON.parse(runPython(PY, [dir]));
  });

  it('computes the network size like Python (half-to-even rounding)', () => {
    expect([net.height, net.width]).toEqual(py.net);
    const ours = PROBES.map(([h, w, m]) => {
      const s = networkSize(h, w, m);
      return [s.height, s.width];
    });
    expect(ours).toEqual(py.sizes);
  });

  it('area-downscales exactly like adaptive_avg_pool2d', () => {
    const lr = areaDownscale(image, net.height, net.width);
    expect(maxAbsDiff(lr, readF32(path.join(dir, 'lr.f32')))).toBeLessThan(1e-6);
  });

  it('area-downscales 8-bit photos (WebAssembly) as it does 16-bit ones (JS), whatever the width and the rows per bin', () => {
    const rand = mulberry32(7);
    // Widths around the kernel's 16-byte groups; 600 rows into 2 (300 per bin) of bright pixels
    // sum past what its 16-bit sums hold (256 rows of 255), so its chunks have to carry them.
    for (const [w, h, channels, ow, oh, bright] of [
      [1, 3, 3, 1, 2, false],
      [5, 7, 4, 3, 3, false],
      [21, 17, 3, 8, 5, false],
      [83, 61, 4, 20, 15, false],
      [40, 600, 3, 7, 2, true],
    ] as const) {
      const data = Uint8Array.from({ length: w * h * channels }, () => (bright || rand() < 0.2 ? 255 - Math.floor(rand() * 4) : Math.floor(rand() * 256)));
      const eight = areaDownscale({ width: w, height: h, channels, data }, oh, ow);
      const sixteen = areaDownscale({ width: w, height: h, channels, data: Uint16Array.from(data, (v) => v * 257) }, oh, ow);
      expect(maxAbsDiff(eight, sixteen), `${w}x${h}x${channels}`).toBeLessThan(1e-7);
    }
  });

  it('computes the guided-filter coefficients like Python', () => {
    const lr = areaDownscale(image, net.height, net.width);
    const r = guideRadius(net.height, net.width, RADIUS_FRACTION);
    expect(r).toBe(py.r);
    const gf = guidedCoefficients(planarLuma(lr, net.height, net.width), tLr, net.height, net.width, r, EPS);
    // Python sums in float32 with running sums; our float64 differs only by its rounding.
    expect(maxAbsDiff(gf.a, readF32(path.join(dir, 'a.f32')))).toBeLessThan(2e-4);
    expect(maxAbsDiff(gf.b, readF32(path.join(dir, 'b.f32')))).toBeLessThan(2e-4);
  });

  it('computes the protect mask like Python', () => {
    const lr = areaDownscale(image, net.height, net.width);
    const r = guideRadius(net.height, net.width, RADIUS_FRACTION);
    const gf = guidedCoefficients(planarLuma(lr, net.height, net.width), tLr, net.height, net.width, r, EPS);
    const mask = protectMask(gf.meanGuide, gf.varGuide, MASK_AIRLIGHT, net.height, net.width, r);
    const ref = readF32(path.join(dir, 'mask.f32'));
    // Python sums in float32: its variance, and so the flatness, differs by its rounding.
    expect(maxAbsDiff(mask, ref)).toBeLessThan(1e-4);
    // Neither all sky nor none (the comparison would say little otherwise).
    expect(Math.max(...ref)).toBeGreaterThan(0.3);
    expect(Math.min(...ref)).toBeLessThan(0.05);
  });

  it('upsamples bilinearly with half-pixel centres like F.interpolate', () => {
    const a = Float32Array.from(readF32(path.join(dir, 'a.f32')));
    const cols = bilinearTaps(net.width, W, 0, W);
    const rows = bilinearTaps(net.height, H, 0, H);
    const up = new Float64Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const top = (1 - cols.w1[x]) * a[rows.i0[y] * net.width + cols.i0[x]] + cols.w1[x] * a[rows.i0[y] * net.width + cols.i1[x]];
        const bot = (1 - cols.w1[x]) * a[rows.i1[y] * net.width + cols.i0[x]] + cols.w1[x] * a[rows.i1[y] * net.width + cols.i1[x]];
        up[y * W + x] = (1 - rows.w1[y]) * top + rows.w1[y] * bot;
      }
    }
    expect(maxAbsDiff(up, readF32(path.join(dir, 'a_hr.f32')))).toBeLessThan(1e-6);
  });

  it('renders J = (I - A)/max(t, t0) + A within 1/255 of Python', () => {
    const manifest: ModelManifest = {
      ...realManifest(),
      reconstruction: { t0: T0, guide: 'luma709', guidedFilter: { radiusFraction: RADIUS_FRACTION, epsilon: EPS }, detail: null, airlightFloor: null },
    };
    const lr = areaDownscale(image, net.height, net.width);
    const r = guideRadius(net.height, net.width, RADIUS_FRACTION);
    const gf = guidedCoefficients(planarLuma(lr, net.height, net.width), tLr, net.height, net.width, r, EPS);
    const estimate: HazeEstimate = {
      width: W, height: H, netWidth: net.width, netHeight: net.height, transmission: tLr, airlight: AIRLIGHT,
      coefA: Float32Array.from(gf.a), coefB: Float32Array.from(gf.b), detailA: null, detailB: null,
      protectMask: new Float32Array(net.width * net.height), depthPivot: 0.5, timings: {},
    };
    const out = renderDehazedSync(image, estimate, manifest, { strength: 100, distance: 0, protect: 0, exposure: 0 });
    const ref = readF32(path.join(dir, 'j.f32'));
    let worst = 0;
    let roundingMismatches = 0;
    for (let i = 0; i < ref.length; i++) {
      worst = Math.max(worst, Math.abs(out.data[i] / 255 - ref[i]));
      if (out.data[i] !== Math.floor(ref[i] * 255 + 0.5)) roundingMismatches++;
    }
    expect(worst).toBeLessThanOrEqual(1 / 255 + 1e-6);
    expect(roundingMismatches / ref.length).toBeLessThan(0.005);
    // The scene really was changed (the test would be empty otherwise).
    expect(maxAbsDiff(out.data, image.data)).toBeGreaterThan(40);
  });
});
