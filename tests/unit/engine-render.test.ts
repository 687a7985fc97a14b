/**
 * Rendering behaviour on a real photo with the real model: neutral sliders are bit-exact, bands
 * and in-place rendering change nothing, regions and proxies use the same pixels as the full
 * render, 16-bit and RGBA inputs behave, aborts stop the work, and each slider does what it says.
 */
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeBackend } from '../../engine/backend-node';
import { distanceCurve, strengthTransmission } from '../../engine/adjustments';
import { networkInput } from '../../engine/estimate';
import {
  estimateHaze,
  isAbortError,
  renderDehazed,
  renderDehazedSync,
  renderHazeMap,
  type Adjustments,
  type HazeEstimate,
  type ImageBuffer,
  type InferenceBackend,
} from '../../engine/index';
import { ROOT, realManifest } from './engine-fixtures';
import { expectedRender } from './render-oracle';

const PHOTO = path.join(ROOT, '../shared/data/real/lviv.jpg');
// A city view with haze that deepens with distance (lviv.jpg is lightly and evenly hazy: the
// network leaves t near 1 there, too little for the distance and haze-map checks).
const CITY = path.join(ROOT, '../shared/data/real/ny17.jpg');
const MIXED: Adjustments = { strength: 80, distance: -40, protect: 60, exposure: 30 };
const PHYSICAL: Adjustments = { strength: 100, distance: 0, protect: 0, exposure: 0 };
const manifest = realManifest();

let backend: InferenceBackend;
let photo: ImageBuffer;
let estimate: HazeEstimate;
let city: ImageBuffer;
let cityEstimate: HazeEstimate;

async function decode(file: string, width?: number, height?: number): Promise<ImageBuffer> {
  let pipeline = sharp(file).removeAlpha();
  if (width && height) pipeline = pipeline.resize(width, height, { fit: 'fill' });
  const { data, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
  return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
}

function clone(img: ImageBuffer): ImageBuffer {
  return { ...img, data: img.data.slice() };
}

function countDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>, pick: (pixel: number) => boolean = () => true): number {
  let s = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    if (!pick(Math.floor(i / 3))) continue;
    s += Math.abs(a[i] - b[i]);
    n++;
  }
  return s / n;
}

beforeAll(async () => {
  backend = await createNodeBackend(path.join(ROOT, 'models/hazeless-v1.onnx'), manifest, { intraOpNumThreads: 2 });
  photo = await decode(PHOTO);
  estimate = await estimateHaze(backend, manifest, photo);
  city = await decode(CITY, 900, 600);
  cityEstimate = await estimateHaze(backend, manifest, city);
});

afterAll(async () => {
  await backend?.dispose();
});

describe('neutral sliders', () => {
  it('return the input bit-exactly (8-bit, async and sync, new buffer and in place)', async () => {
    const neutral = { strength: 0, distance: 0, protect: 0, exposure: 0 };
    expect(countDiff((await renderDehazed(photo, estimate, manifest, neutral)).data, photo.data)).toBe(0);
    expect(countDiff(renderDehazedSync(photo, estimate, manifest, neutral).data, photo.data)).toBe(0);
    const copy = clone(photo);
    await renderDehazed(copy, estimate, manifest, neutral, { output: copy });
    expect(countDiff(copy.data, photo.data)).toBe(0);
  });

  it('strength 0 leaves the pixels alone whatever distance and protect say (they only shape t)', () => {
    const out = renderDehazedSync(photo, estimate, manifest, { strength: 0, distance: 70, protect: 100, exposure: 0 });
    expect(countDiff(out.data, photo.data)).toBe(0);
  });

  it('return 16-bit and RGBA inputs bit-exactly, alpha included', () => {
    const n = photo.width * photo.height;
    const rgba16: ImageBuffer = { width: photo.width, height: photo.height, channels: 4, data: new Uint16Array(n * 4) };
    for (let i = 0; i < n; i++) {
      for (let c = 0; c < 3; c++) rgba16.data[i * 4 + c] = photo.data[i * 3 + c] * 257 + (i % 257);
      rgba16.data[i * 4 + 3] = (i * 7919) % 65536;
    }
    const out = renderDehazedSync(rgba16, estimate, manifest, { strength: 0, distance: -30, protect: 40, exposure: 0 });
    expect(out.data).toBeInstanceOf(Uint16Array);
    expect(countDiff(out.data, rgba16.data)).toBe(0);
  });
});

describe('bands, regions and proxies', () => {
  it('bands of 1, 7 and 64 rows give exactly the single-band result', async () => {
    const single = renderDehazedSync(photo, estimate, manifest, MIXED);
    expect(countDiff(single.data, photo.data)).toBeGreaterThan(photo.data.length / 2);
    for (const bandRows of [1, 7, 64]) {
      const banded = await renderDehazed(photo, estimate, manifest, MIXED, { bandRows });
      expect(countDiff(banded.data, single.data), `bandRows ${bandRows}`).toBe(0);
    }
  });

  it('renders in place identically', async () => {
    const expected = renderDehazedSync(photo, estimate, manifest, MIXED);
    const copy = clone(photo);
    const out = await renderDehazed(copy, estimate, manifest, MIXED, { output: copy, bandRows: 13 });
    expect(out.data).toBe(copy.data);
    expect(countDiff(copy.data, expected.data)).toBe(0);
  });

  it('preview proxy (sync, worker path) equals export at the same scale (async, bands, in place)', async () => {
    const proxy = await decode(PHOTO, Math.round(photo.width / 2.7), Math.round(photo.height / 2.7));
    const preview = renderDehazedSync(proxy, estimate, manifest, MIXED);
    const exportCopy = clone(proxy);
    await renderDehazed(exportCopy, estimate, manifest, MIXED, { output: exportCopy, bandRows: 5 });
    expect(countDiff(preview.data, exportCopy.data)).toBe(0);
    // And the proxy looks like the full render scaled down (coefficients follow the scale).
    const full = await renderDehazed(photo, estimate, manifest, MIXED);
    const { data: fullScaled } = await sharp(full.data, { raw: { width: photo.width, height: photo.height, channels: 3 } })
      .resize(proxy.width, proxy.height, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    expect(meanAbsDiff(preview.data, fullScaled)).toBeLessThan(3);
  });

  it('a region at 100% equals the same crop of the full render', () => {
    const full = renderDehazedSync(photo, estimate, manifest, MIXED);
    const left = 301;
    const top = 177;
    const w = 257;
    const h = 131;
    const crop = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) crop.set(photo.data.subarray(((top + y) * photo.width + left) * 3, ((top + y) * photo.width + left + w) * 3), y * w * 3);
    const region = { left, top, fullWidth: photo.width, fullHeight: photo.height };
    const out = renderDehazedSync({ width: w, height: h, channels: 3, data: crop }, estimate, manifest, MIXED, { region });
    let mismatches = 0;
    for (let y = 0; y < h; y++) {
      for (let i = 0; i < w * 3; i++) if (out.data[y * w * 3 + i] !== full.data[((top + y) * photo.width + left) * 3 + i]) mismatches++;
    }
    expect(mismatches).toBe(0);
    expect(() => renderDehazedSync({ width: w, height: h, channels: 3, data: crop }, estimate, manifest, MIXED, { region: { ...region, left: photo.width - 10 } })).toThrow(/outside/);
  });

  it('16-bit output matches 8-bit output within one 8-bit step', () => {
    const n = photo.width * photo.height * 3;
    const deep: ImageBuffer = { ...photo, data: Uint16Array.from(photo.data, (v) => v * 257) };
    // Both apply the base layer of the detail threshold the same way.
    for (const adjustments of [MIXED, PHYSICAL]) {
      const out16 = renderDehazedSync(deep, estimate, manifest, adjustments);
      const out8 = renderDehazedSync(photo, estimate, manifest, adjustments);
      let worst = 0;
      for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(out16.data[i] / 257 - out8.data[i]));
      expect(worst).toBeLessThanOrEqual(1);
    }
  });

  it('renders what the math says at every width, 8- and 16-bit, RGB and RGBA, with every slider, and its haze map too', () => {
    // Widths around the kernel's groups of four pixels and its runs of network columns; crops of
    // the city so that sky (protect's mask), haze and detail are all in them.
    // The sky at the top (protect's mask) and buildings in shade further down (the shadow bound).
    for (const [width, left, top] of [1, 2, 3, 5, 7, 64, 131].flatMap((w) => [[w, 400, 60], [w, 300, 420]])) {
      for (const channels of [3, 4] as const) {
        const height = 9;
        const data = new Uint8Array(width * height * channels);
        for (let y = 0; y < height; y++) {
          for (let x = 0; x < width; x++) {
            for (let c = 0; c < channels; c++) {
              data[(y * width + x) * channels + c] = c < 3 ? city.data[((top + y) * city.width + left + x) * 3 + c] : (x * 7 + y) % 256;
            }
          }
        }
        const crop: ImageBuffer = { width, height, channels, data };
        // 16-bit: every sample off the 8-bit grid, alpha too.
        const deep: ImageBuffer = { ...crop, data: Uint16Array.from(data, (v, i) => v * 257 + ((i * 31) % 200)) };
        const region = { left, top, fullWidth: city.width, fullHeight: city.height };
        for (const adjustments of [
          PHYSICAL,
          { ...PHYSICAL, strength: 70, protect: 100 },
          { ...PHYSICAL, distance: 60, protect: 25 },
          { ...PHYSICAL, exposure: -50 },
          MIXED,
          { strength: 160, distance: 30, protect: 25, exposure: 20 },
          // The top of strength: the shadow bound holds many pixels.
          { ...PHYSICAL, strength: 200 },
          { ...PHYSICAL, strength: -60, protect: 50 },
          { ...PHYSICAL, strength: -60, distance: 40, protect: 25 },
          { ...PHYSICAL, strength: 0, exposure: 60 },
          // The ends of exposure: the curve bends most near black.
          { ...PHYSICAL, strength: 0, exposure: 100 },
          { ...PHYSICAL, exposure: -100 },
        ]) {
          for (const image of [crop, deep]) {
            const out = renderDehazedSync(image, cityEstimate, manifest, adjustments, { region });
            const expected = expectedRender(image, cityEstimate, manifest, adjustments, region);
            let worst = 0;
            for (let i = 0; i < image.data.length; i++) {
              if (channels === 4 && i % 4 === 3) expect(out.data[i]).toBe(image.data[i]);
              else worst = Math.max(worst, Math.abs(out.data[i] - expected.rendered[i]));
            }
            // The haze map: the same t, as grey 8-bit pixels of 3 or 4 bytes (alpha 255).
            let worstT = 0;
            for (const mapChannels of [3, 4] as const) {
              const map = renderHazeMap(image, cityEstimate, manifest, adjustments, { region, channels: mapChannels });
              expect(map.data.length).toBe(width * height * mapChannels);
              for (let i = 0; i < width * height; i++) {
                const q = mapChannels * i;
                worstT = Math.max(worstT, Math.abs(map.data[q] - 255 * expected.t[i]));
                expect([...map.data.subarray(q + 1, q + mapChannels)]).toEqual(mapChannels === 4 ? [map.data[q], map.data[q], 255] : [map.data[q], map.data[q]]);
              }
            }
            // Rounding to the output's grid (half a step, 8- or 16-bit), and a little for single
            // precision and the exposure table.
            const what = `${width} x ${channels} x ${image === crop ? 8 : 16}-bit ${JSON.stringify(adjustments)}`;
            expect(worst, what).toBeLessThanOrEqual(0.6);
            expect(worstT, `haze map ${what}`).toBeLessThanOrEqual(0.6);
            expect(countDiff(out.data, image.data), `${what}: the crop was dehazed`).toBeGreaterThan(0);
          }
        }
      }
    }
  });

  it('renders the same when another photo is estimated or rendered between its bands (one kernel memory per thread)', async () => {
    // As in the renderer's worker: an export renders band by band while previews are rendered and
    // the next photo is estimated; each takes the WebAssembly kernel's memory in turn.
    const other = await decode(CITY, 320, 240);
    const expected = renderDehazedSync(photo, estimate, manifest, MIXED);
    const expectedOther = renderDehazedSync(other, cityEstimate, manifest, PHYSICAL, { region: { left: 0, top: 0, fullWidth: 320, fullHeight: 240 } });
    const [out, , otherOut] = await Promise.all([
      renderDehazed(photo, estimate, manifest, MIXED, { bandRows: 7 }),
      networkInput(other, manifest),
      renderDehazed(other, cityEstimate, manifest, PHYSICAL, { bandRows: 5, region: { left: 0, top: 0, fullWidth: 320, fullHeight: 240 } }),
    ]);
    expect(countDiff(out.data, expected.data)).toBe(0);
    expect(countDiff(otherOut.data, expectedOther.data)).toBe(0);
    // The estimate alone between bands (the render keeps its plan, the downscale takes the memory).
    const [again] = await Promise.all([renderDehazed(photo, estimate, manifest, MIXED, { bandRows: 7 }), networkInput(other, manifest), networkInput(city, manifest)]);
    expect(countDiff(again.data, expected.data)).toBe(0);
  });

  it('passes alpha through untouched', () => {
    const n = photo.width * photo.height;
    const rgba: ImageBuffer = { width: photo.width, height: photo.height, channels: 4, data: new Uint8ClampedArray(n * 4) };
    for (let i = 0; i < n; i++) {
      rgba.data.set(photo.data.subarray(i * 3, i * 3 + 3), i * 4);
      rgba.data[i * 4 + 3] = i % 256;
    }
    const out = renderDehazedSync(rgba, estimate, manifest, MIXED);
    const rgb = renderDehazedSync(photo, estimate, manifest, MIXED);
    for (let i = 0; i < n; i += 97) {
      expect(out.data[i * 4 + 3]).toBe(i % 256);
      expect(out.data[i * 4]).toBe(rgb.data[i * 3]);
    }
  });
});

describe('abort and progress', () => {
  it('reports progress per band and stops when aborted', async () => {
    const controller = new AbortController();
    const seen: number[] = [];
    const work = renderDehazed(photo, estimate, manifest, MIXED, {
      bandRows: 50,
      signal: controller.signal,
      onProgress: (p) => {
        expect(p.stage).toBe('render');
        expect(p.total).toBe(photo.height);
        seen.push(p.done);
        if (seen.length === 2) controller.abort();
      },
    });
    await expect(work).rejects.toSatisfy(isAbortError);
    expect(seen).toEqual([50, 100]);
  });

  it('estimateHaze rejects an aborted signal before running the network', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(estimateHaze(backend, manifest, photo, { signal: controller.signal })).rejects.toSatisfy(isAbortError);
  });
});

describe('sliders', () => {
  const render = (a: Partial<Adjustments>): Uint8Array | Uint8ClampedArray | Uint16Array =>
    renderDehazedSync(photo, estimate, manifest, { ...PHYSICAL, ...a }).data;
  const luma = (d: ArrayLike<number>, i: number): number => 0.2126 * d[i * 3] + 0.7152 * d[i * 3 + 1] + 0.0722 * d[i * 3 + 2];
  // Haze lowers local contrast (it scales detail by t), so this is what strength must move.
  const localContrast = (d: ArrayLike<number>): number => {
    let s = 0;
    for (let y = 0; y < photo.height; y++) {
      for (let x = 1; x < photo.width; x++) s += Math.abs(luma(d, y * photo.width + x) - luma(d, y * photo.width + x - 1));
    }
    return s / (photo.height * (photo.width - 1));
  };

  it('strength: more strength, more local contrast; negative adds haze towards the airlight', () => {
    const s = [-60, 0, 50, 100].map((strength) => localContrast(render({ strength })));
    expect(s[0]).toBeLessThan(s[1]);
    expect(s[1]).toBeLessThan(s[2]);
    expect(s[2]).toBeLessThan(s[3]);
    const A = estimate.airlight.map((v) => v * 255);
    const toAir = (d: ArrayLike<number>): number => {
      let sum = 0;
      for (let i = 0; i < d.length; i++) sum += Math.abs(d[i] - A[i % 3]);
      return sum / d.length;
    };
    const hazier = [-30, -60, -100].map((strength) => toAir(render({ strength })));
    expect(hazier[0]).toBeLessThan(toAir(photo.data));
    expect(hazier[1]).toBeLessThan(hazier[0]);
    expect(hazier[2]).toBeLessThan(hazier[1]);
  });

  it('strength beyond 100 removes more haze than the estimate, continuously, without clipping shadows', () => {
    const at = (strength: number): Uint8Array | Uint8ClampedArray | Uint16Array =>
      renderDehazedSync(city, cityEstimate, manifest, { ...PHYSICAL, strength }).data;
    const cityContrast = (d: ArrayLike<number>): number => {
      let sum = 0;
      for (let y = 0; y < city.height; y++) {
        for (let x = 1; x < city.width; x++) sum += Math.abs(luma(d, y * city.width + x) - luma(d, y * city.width + x - 1));
      }
      return sum / (city.height * (city.width - 1));
    };
    // Pixels gone black (luma under 4 of 255): what a plain extrapolation of t makes of shadows.
    const black = (d: ArrayLike<number>): number => {
      let n = 0;
      for (let i = 0; i < d.length / 3; i++) if (luma(d, i) < 4) n++;
      return n / (d.length / 3);
    };
    const [c100, c150, c200] = [100, 150, 200].map((s) => cityContrast(at(s)));
    expect(c150).toBeGreaterThan(c100 * 1.03);
    expect(c200).toBeGreaterThan(c150 * 1.02);
    expect(meanAbsDiff(at(101), at(100))).toBeLessThan(0.5);
    expect(black(at(200))).toBeLessThan(black(at(100)) + 0.002);
    // The haze map shows the transmission the render used: darker beyond 100.
    const grey = (a: Adjustments): number => {
      const m = renderHazeMap(city, cityEstimate, manifest, a, { channels: 3 }).data;
      let sum = 0;
      for (let i = 0; i < m.length; i += 3) sum += m[i];
      return sum / (m.length / 3);
    };
    expect(grey({ ...PHYSICAL, strength: 200 })).toBeLessThan(grey(PHYSICAL) - 10);
  });

  it('distance: negative keeps distant haze, positive removes more of it, near pixels move the other way', () => {
    // Far / near by the full-resolution transmission the render itself uses (the haze map at
    // the physical setting: grey = 255 t), so that pixel classes follow edges as t does.
    const grey = renderHazeMap(city, cityEstimate, manifest, PHYSICAL, { channels: 3 }).data;
    const tMap = Uint8Array.from({ length: city.width * city.height }, (_, p) => grey[p * 3]);
    const sorted = tMap.slice().sort();
    const farT = sorted[Math.floor(sorted.length * 0.2)];
    const nearT = Math.min(247, sorted[Math.floor(sorted.length * 0.8)]);
    expect(farT).toBeLessThan(255 * Math.exp(-cityEstimate.depthPivot));
    expect(nearT).toBeGreaterThan(255 * Math.exp(-cityEstimate.depthPivot));
    const far = (p: number): boolean => tMap[p] < farT;
    const near = (p: number): boolean => tMap[p] > nearT;
    const change = (distance: number, pick: (p: number) => boolean): number =>
      meanAbsDiff(renderDehazedSync(city, cityEstimate, manifest, { ...PHYSICAL, distance }).data, city.data, pick);
    expect(change(-100, far)).toBeLessThan(change(0, far));
    expect(change(0, far)).toBeLessThan(change(100, far));
    expect(change(-100, near)).toBeGreaterThan(change(100, near));
  });

  it('protect: holds back the colour of the haze removal in bright flat areas only, never the haze removal itself', () => {
    // Largest mask value among the network pixels the bilinear upsampling can reach.
    const mask = (pixel: number): number => {
      const x = pixel % photo.width;
      const y = Math.floor(pixel / photo.width);
      const nx = Math.floor((x * estimate.netWidth) / photo.width);
      const ny = Math.floor((y * estimate.netHeight) / photo.height);
      let m = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const cx = Math.min(estimate.netWidth - 1, Math.max(0, nx + dx));
          const cy = Math.min(estimate.netHeight - 1, Math.max(0, ny + dy));
          m = Math.max(m, estimate.protectMask[cy * estimate.netWidth + cx]);
        }
      }
      return m;
    };
    const off = render({ protect: 0 });
    const on = render({ protect: 100 });
    const sky = (p: number): boolean => mask(p) > 0.6;
    const busy = (p: number): boolean => mask(p) === 0;
    let busyCount = 0;
    for (let p = 0; p < photo.width * photo.height; p++) if (busy(p)) busyCount++;
    expect(busyCount).toBeGreaterThan(1000);
    let skyCount = 0;
    for (let p = 0; p < photo.width * photo.height; p++) if (sky(p)) skyCount++;
    expect(skyCount).toBeGreaterThan(1000);
    // Protect holds back the colour of the haze removal there, not the haze removal itself: the
    // luma is dehazed as fully as without protect (sky and dense fog look alike to the mask).
    const chromaChange = (d: ArrayLike<number>, pick: (p: number) => boolean): number => {
      let sum = 0;
      let n = 0;
      for (let p = 0; p < photo.width * photo.height; p++) {
        if (!pick(p)) continue;
        const dl = luma(d, p) - luma(photo.data, p);
        for (let c = 0; c < 3; c++) sum += Math.abs(d[3 * p + c] - photo.data[3 * p + c] - dl);
        n += 3;
      }
      return sum / n;
    };
    expect(chromaChange(on, sky)).toBeLessThan(0.6 * chromaChange(off, sky));
    let lumaDiff = 0;
    for (let p = 0; p < photo.width * photo.height; p++) if (sky(p)) lumaDiff += Math.abs(luma(on, p) - luma(off, p));
    expect(lumaDiff / skyCount).toBeLessThan(0.5);
    expect(meanAbsDiff(on, off, busy)).toBe(0);
  });

  it('exposure: brightens or darkens midtones, keeps black black and white white', () => {
    const mean = (d: ArrayLike<number>): number => {
      let s = 0;
      for (let i = 0; i < d.length; i++) s += d[i];
      return s / d.length;
    };
    const base = mean(render({ exposure: 0 }));
    expect(mean(render({ exposure: 50 }))).toBeGreaterThan(base + 5);
    expect(mean(render({ exposure: -50 }))).toBeLessThan(base - 5);
    const ends: ImageBuffer = { width: 2, height: 1, channels: 3, data: new Uint8Array([0, 0, 0, 255, 255, 255]) };
    const out = renderDehazedSync(ends, estimate, manifest, { strength: 0, distance: 0, protect: 0, exposure: 100 });
    expect([...out.data]).toEqual([0, 0, 0, 255, 255, 255]);
  });

  it('the kernels apply the slider curves of engine/adjustments.ts (haze map against the pure functions)', () => {
    const grey = (a: Adjustments): Uint8ClampedArray | Uint8Array | Uint16Array => renderHazeMap(city, cityEstimate, manifest, a, { channels: 3 }).data;
    const raw = grey(PHYSICAL);
    for (const a of [
      { ...PHYSICAL, strength: 60 },
      { ...PHYSICAL, distance: 40 },
      { ...PHYSICAL, strength: 70, distance: -60 },
      { ...PHYSICAL, strength: -40 },
    ]) {
      const map = grey(a);
      let worst = 0;
      for (let i = 0; i < map.length; i += 3) {
        // raw holds round(255 t): the curve is applied to the centre of that step, so allow one step.
        const t = raw[i] / 255;
        const expected = 255 * strengthTransmission(distanceCurve(t, a.distance, cityEstimate.depthPivot), a.strength);
        worst = Math.max(worst, Math.abs(map[i] - expected));
      }
      expect(worst, JSON.stringify(a)).toBeLessThan(2.5);
    }
  });

  it('haze map shows the effective t: white at strength 0, darker where more haze is removed', () => {
    const none = renderHazeMap(city, cityEstimate, manifest, { strength: 0, distance: 0, protect: 0, exposure: 0 });
    expect(none.channels).toBe(4);
    expect(none.data.every((v) => v === 255)).toBe(true);
    const map = renderHazeMap(city, cityEstimate, manifest);
    const far = renderHazeMap(city, cityEstimate, manifest, { ...PHYSICAL, distance: 100 });
    const meanGrey = (img: ImageBuffer): number => {
      let s = 0;
      for (let i = 0; i < img.data.length; i += 4) s += img.data[i];
      return s / (img.data.length / 4);
    };
    // ny17 is visibly hazy: the network's t averages about 0.8 there.
    expect(meanGrey(map)).toBeLessThan(235);
    expect(meanGrey(far)).not.toBe(meanGrey(map));
  });
});

describe('detail threshold (manifest reconstruction.detail)', () => {
  const SMOG = path.join(ROOT, '../shared/data/real/Lumpur.jpg');

  /** Spread of each sample around its 5x5 mean over rows [y0, y1): grain, JPEG blocks, fine edges. */
  function highPass(img: ImageBuffer, y0: number, y1: number): number {
    const { width, data } = img;
    let s = 0;
    let n = 0;
    for (let y = y0 + 2; y < y1 - 2; y++) {
      for (let x = 2; x < width - 2; x++) {
        for (let c = 0; c < 3; c++) {
          let m = 0;
          for (let dy = -2; dy <= 2; dy++) for (let dx = -2; dx <= 2; dx++) m += data[((y + dy) * width + x + dx) * 3 + c];
          const d = data[(y * width + x) * 3 + c] - m / 25;
          s += d * d;
          n++;
        }
      }
    }
    return Math.sqrt(s / n);
  }

  function meanLevel(img: ImageBuffer, y0: number, y1: number): number {
    let s = 0;
    for (let i = y0 * img.width * 3; i < y1 * img.width * 3; i++) s += img.data[i];
    return s / ((y1 - y0) * img.width * 3);
  }

  it('is on in the shipped model', () => {
    expect(manifest.reconstruction.detail?.epsilon).toBeGreaterThan(0);
    expect(estimate.detailA?.length).toBe(3 * estimate.netWidth * estimate.netHeight);
  });

  it('keeps the grain of a dense smoggy sky near the input instead of multiplying it by 1/t; the haze goes all the same', async () => {
    const smog = await decode(SMOG);
    const est = await estimateHaze(backend, manifest, smog);
    const plain: HazeEstimate = { ...est, detailA: null, detailB: null };
    const sky: [number, number] = [0, 60];
    const withDetail = renderDehazedSync(smog, est, manifest, PHYSICAL);
    const amplified = renderDehazedSync(smog, plain, manifest, PHYSICAL);
    const input = highPass(smog, ...sky);
    // Measured with 1.7.0: input 2.5, plain haze model 11.1, with the threshold 4.4 (8-bit levels);
    // the threshold moves the mean level by 0.9 of 255, the haze model by 10.4 (1.6.0, whose
    // airlight overshot this sky's colour, darkened it by over 20).
    expect(highPass(amplified, ...sky)).toBeGreaterThan(2 * input);
    expect(highPass(withDetail, ...sky)).toBeLessThan(0.7 * highPass(amplified, ...sky));
    expect(Math.abs(meanLevel(withDetail, ...sky) - meanLevel(amplified, ...sky))).toBeLessThan(2);
    expect(Math.abs(meanLevel(withDetail, ...sky) - meanLevel(smog, ...sky))).toBeGreaterThan(5);
  });

  it('leaves edges and texture their full contrast', () => {
    const plain: HazeEstimate = { ...cityEstimate, detailA: null, detailB: null };
    const withDetail = renderDehazedSync(city, cityEstimate, manifest, PHYSICAL);
    const amplified = renderDehazedSync(city, plain, manifest, PHYSICAL);
    // ny17's distant skyline and the city below it.
    expect(highPass(withDetail, 100, 400)).toBeGreaterThan(0.95 * highPass(amplified, 100, 400));
  });
});

describe('photos without colour', () => {
  it('a black and white photo stays grey at every slider setting, and is still dehazed', async () => {
    // ny17 in black and white (its luma), as RGB: what decoding a grey JPEG or PNG gives.
    const grey = await (async (): Promise<ImageBuffer> => {
      const { data, info } = await sharp(CITY).resize(900, 600, { fit: 'fill' }).greyscale().raw().toBuffer({ resolveWithObject: true });
      const rgb = new Uint8Array(data.length * 3);
      for (let i = 0; i < data.length; i++) rgb.fill(data[i], 3 * i, 3 * i + 3);
      return { width: info.width, height: info.height, channels: 3, data: rgb };
    })();
    const greyEstimate = await estimateHaze(backend, manifest, grey);
    // The network guesses a tinted haze for the colour photo; the grey one's is grey.
    expect(Math.max(...cityEstimate.airlight) - Math.min(...cityEstimate.airlight)).toBeGreaterThan(0.01);
    expect(new Set(greyEstimate.airlight).size).toBe(1);
    let spread = 0;
    for (const adj of [PHYSICAL, MIXED, { strength: 160, distance: 30, protect: 25, exposure: -20 }, { strength: -50, distance: 0, protect: 25, exposure: 0 }]) {
      const out = renderDehazedSync(grey, greyEstimate, manifest, adj).data;
      for (let i = 0; i < out.length; i += 3) spread = Math.max(spread, Math.abs(out[i] - out[i + 1]), Math.abs(out[i + 2] - out[i + 1]));
    }
    expect(spread).toBe(0);
    // Dehazed all the same: the haze's veil comes off (the mean falls).
    const meanOf = (d: ArrayLike<number>): number => Array.from(d).reduce((a, v) => a + v, 0) / d.length;
    const greyOut = renderDehazedSync(grey, greyEstimate, manifest, PHYSICAL).data;
    expect(meanOf(greyOut)).toBeLessThan(meanOf(grey.data) - 10);
  });
});

describe('photos with transparency', () => {
  it('the colour under clear pixels changes nothing: the haze is read from what shows', async () => {
    // ny17 with its left 40% clear, the colour there black, white or red; 10% more half clear.
    const withUnder = (under: readonly number[]): ImageBuffer => {
      const data = new Uint8Array(city.width * city.height * 4);
      for (let i = 0; i < city.width * city.height; i++) {
        const x = i % city.width;
        const a = x < 0.4 * city.width ? 0 : x < 0.5 * city.width ? 128 : 255;
        data.set(a === 0 ? [...under, 0] : [city.data[i * 3], city.data[i * 3 + 1], city.data[i * 3 + 2], a], i * 4);
      }
      return { width: city.width, height: city.height, channels: 4, data };
    };
    const estimates = [];
    for (const under of [[0, 0, 0], [255, 255, 255], [255, 0, 0]]) estimates.push(await estimateHaze(backend, manifest, withUnder(under)));
    for (const e of estimates.slice(1)) {
      expect(e.airlight).toEqual(estimates[0].airlight);
      expect(e.transmission).toEqual(estimates[0].transmission);
    }
    // And an opaque photo given as RGBA is estimated exactly as the same photo in RGB.
    const opaque = new Uint8Array(city.width * city.height * 4);
    for (let i = 0; i < city.width * city.height; i++) opaque.set([city.data[i * 3], city.data[i * 3 + 1], city.data[i * 3 + 2], 255], i * 4);
    const rgba = await estimateHaze(backend, manifest, { ...city, channels: 4, data: opaque });
    expect(rgba.airlight).toEqual(cityEstimate.airlight);
    expect(rgba.transmission).toEqual(cityEstimate.transmission);
  });

  it('16-bit photos with transparency too', async () => {
    const make = (under: number): ImageBuffer => {
      const data = new Uint16Array(city.width * city.height * 4);
      for (let i = 0; i < city.width * city.height; i++) {
        const clear = i % city.width < city.width / 3;
        data.set(clear ? [under, under, under, 0] : [city.data[i * 3] * 257, city.data[i * 3 + 1] * 257, city.data[i * 3 + 2] * 257, 65535], i * 4);
      }
      return { width: city.width, height: city.height, channels: 4, data };
    };
    const black = await estimateHaze(backend, manifest, make(0));
    const white = await estimateHaze(backend, manifest, make(65535));
    expect(white.airlight).toEqual(black.airlight);
    expect(white.transmission).toEqual(black.transmission);
  });
});
