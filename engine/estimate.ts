import { throwIfAborted, yieldToEventLoop } from './abort';
import { applyAirlightFloor } from './airlight-floor';
import { areaDownscaleRows, padEdge } from './area-downscale';
import { fillClearBins, visibleDownscaleRows } from './visible-downscale';
import { guideRadius, guidedCoefficients, planarLuma, selfGuidedCoefficients } from './guided-filter';
import { host } from './host';
import { lumaOf } from './luma';
import { networkSize, paddedSize } from './network-size';
import { assertImage } from './pixel-format';
import { medianDepth, protectMask } from './protect-mask';
import type { HazeEstimate, ImageBuffer, InferenceBackend, ModelManifest, RunOptions } from './types';

export { networkSize };

const now = (): number => host.performance?.now() ?? Date.now();

/**
 * The network input for a photo: area-downscaled planar RGB (3 x h x w) at network size. A photo
 * with transparency is downscaled again from what shows of it (visible-downscale.ts).
 */
export async function networkInput(
  image: ImageBuffer,
  manifest: ModelManifest,
  opts: RunOptions = {},
): Promise<{ data: Float32Array; height: number; width: number }> {
  assertImage(image);
  const { height, width } = networkSize(image.height, image.width, manifest.input.maxSide);
  const data = new Float32Array(3 * height * width);
  const coverage = image.channels === 4 ? new Float32Array(height * width) : undefined;
  // About 4 megapixels of input per step so an abort lands quickly even on a 100 MP photo.
  const step = Math.max(1, Math.floor((4e6 / (image.width * image.height)) * height));
  const inSteps = async (rows: (i: number, end: number) => void, report: boolean): Promise<void> => {
    for (let i = 0; i < height; i += step) {
      throwIfAborted(opts.signal);
      const end = Math.min(height, i + step);
      rows(i, end);
      if (report) opts.onProgress?.({ stage: 'downscale', done: end, total: height });
      if (end < height) await yieldToEventLoop();
    }
  };
  await inSteps((i, end) => areaDownscaleRows(image, height, width, data, i, end, coverage), true);
  if (coverage?.some((a) => a < 1)) {
    // The second pass of a photo with transparency adds no progress: the bar has reached its end.
    await inSteps((i, end) => visibleDownscaleRows(image, height, width, data, i, end), false);
    fillClearBins(data, coverage, height, width);
  }
  return { data, height, width };
}

/** Runs the network once on the photo and prepares everything the renderer needs. */
export async function estimateHaze(
  backend: InferenceBackend,
  manifest: ModelManifest,
  image: ImageBuffer,
  opts: RunOptions = {},
): Promise<HazeEstimate> {
  const { signal, onProgress } = opts;
  const timings: Record<string, number> = {};
  let t = now();
  const lap = (name: string): void => {
    const n = now();
    timings[name] = n - t;
    t = n;
  };

  const net = await networkInput(image, manifest, opts);
  const h = net.height;
  const w = net.width;
  lap('downscale');

  const m = manifest.input.multiple;
  const ph = paddedSize(h, m);
  const pw = paddedSize(w, m);
  const padded = padEdge(net.data, 3, h, w, ph, pw);
  throwIfAborted(signal);
  onProgress?.({ stage: 'network', done: 0, total: 1 });
  const out = await backend.run(padded, ph, pw, signal);
  throwIfAborted(signal);
  if (out.transmission.length !== ph * pw) {
    throw new Error(`model returned ${out.transmission.length} transmission values, expected ${ph}x${pw}`);
  }
  if (out.airlight.length !== 3) throw new Error(`model returned ${out.airlight.length} airlight values, expected 3`);
  onProgress?.({ stage: 'network', done: 1, total: 1 });
  lap('network');

  const transmission = new Float32Array(h * w);
  for (let y = 0; y < h; y++) transmission.set(out.transmission.subarray(y * pw, y * pw + w), y * w);
  const networkAirlight = neutralIfColourless([out.airlight[0], out.airlight[1], out.airlight[2]], net.data, h * w);

  const { radiusFraction, epsilon } = manifest.reconstruction.guidedFilter;
  const r = guideRadius(h, w, radiusFraction);
  const guide = planarLuma(net.data, h, w);
  const gf = guidedCoefficients(guide, transmission, h, w, r, epsilon);
  // new Float32Array(typed) copies natively; Float32Array.from goes through the iterator.
  const coefA = new Float32Array(gf.a);
  const coefB = new Float32Array(gf.b);
  const floor = manifest.reconstruction.airlightFloor;
  const airlight = floor === null ? networkAirlight : applyAirlightFloor(networkAirlight, gf.meanGuide, gf.meanT, floor);
  const detail = manifest.reconstruction.detail === null ? null : detailCoefficients(net.data, h, w, r, manifest.reconstruction.detail.epsilon);
  lap('guidedFilter');
  const mask = protectMask(gf.meanGuide, gf.varGuide, airlight, h, w, r);
  const depthPivot = medianDepth(transmission);
  onProgress?.({ stage: 'guided-filter', done: 1, total: 1 });
  lap('protectAndPivot');

  return {
    width: image.width,
    height: image.height,
    netWidth: w,
    netHeight: h,
    transmission,
    airlight,
    coefA,
    coefB,
    detailA: detail?.a ?? null,
    detailB: detail?.b ?? null,
    protectMask: mask,
    depthPivot,
    timings,
  };
}

/** How far apart (0..1) a network-size pixel's channels may be and the pixel still count as grey. */
const NEUTRAL_SPREAD = 0.5 / 255;

/**
 * The airlight of a photo without colour (every pixel of the network input grey: a black and white
 * photo, decoded or shown as RGB) made grey, at its luma: there is no colour of haze to take out
 * of such a photo, and the colour the network guessed for the haze would tint it. The render then
 * keeps every pixel grey (its per-channel terms are alike for alike channels).
 */
function neutralIfColourless(airlight: [number, number, number], rgb: Float32Array, n: number): [number, number, number] {
  for (let i = 0; i < n; i++) {
    const g = rgb[n + i];
    if (Math.abs(rgb[i] - g) > NEUTRAL_SPREAD || Math.abs(rgb[2 * n + i] - g) > NEUTRAL_SPREAD) return airlight;
  }
  const luma = lumaOf(airlight);
  return [luma, luma, luma];
}

/** Each channel of the network input guiding itself: the base layer's coefficients (planar RGB). */
function detailCoefficients(rgb: Float32Array, h: number, w: number, r: number, epsilon: number): { a: Float32Array; b: Float32Array } {
  const n = h * w;
  const a = new Float32Array(3 * n);
  const b = new Float32Array(3 * n);
  for (let c = 0; c < 3; c++) selfGuidedCoefficients(rgb.subarray(c * n, (c + 1) * n), h, w, r, epsilon, a, b, c * n);
  return { a, b };
}
