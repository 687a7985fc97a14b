// Rendering a dehazed photo (or its haze map) from an estimate: the public entry points, band by
// band with abort checks. The plan and the tables live in render-plan.ts and render-tables.ts;
// both run in the WebAssembly kernel (render-wasm.ts, wasm/dehaze.ts).
import { throwIfAborted, yieldToEventLoop } from './abort';
import { clampAdjustments, isNeutral } from './adjustments';
import { assertImage, maxSample } from './pixel-format';
import { dehazeRowsWasm, hazeMapWasm } from './render-wasm';
import { makePlan } from './render-plan';
import type { Adjustments, HazeEstimate, HazeMapOptions, ImageBuffer, ModelManifest, RenderOptions } from './types';

function prepareOutput(image: ImageBuffer, output: ImageBuffer | undefined): ImageBuffer {
  if (output === undefined) {
    const n = image.width * image.height * image.channels;
    const data = image.data instanceof Uint16Array ? new Uint16Array(n) : image.data instanceof Uint8ClampedArray ? new Uint8ClampedArray(n) : new Uint8Array(n);
    return { width: image.width, height: image.height, channels: image.channels, data };
  }
  assertImage(output, 'output');
  if (output.width !== image.width || output.height !== image.height || output.channels !== image.channels) {
    throw new Error(`output is ${output.width}x${output.height}x${output.channels}, image is ${image.width}x${image.height}x${image.channels}`);
  }
  if (maxSample(output.data) !== maxSample(image.data)) throw new Error('output and image must have the same bit depth');
  return output;
}

function copyPixels(image: ImageBuffer, out: ImageBuffer): void {
  if (out.data !== image.data) out.data.set(image.data.subarray(0, image.width * image.height * image.channels));
}

/** Default band: about 2 megapixels. */
function defaultBandRows(width: number): number {
  return Math.max(1, Math.ceil((1 << 21) / width));
}

/**
 * Dehazes `image` (the full photo, a downscaled proxy of it, or a region: see RenderOptions) band
 * by band, yielding between bands so an abort or a newer request gets through. Memory: the output
 * (or nothing extra when `output` is `image`) plus a few rows of network width.
 */
export async function renderDehazed(
  image: ImageBuffer,
  estimate: HazeEstimate,
  manifest: ModelManifest,
  adjustments: Adjustments,
  opts: RenderOptions = {},
): Promise<ImageBuffer> {
  const { signal, onProgress } = opts;
  throwIfAborted(signal);
  const plan = makePlan(image, estimate, manifest, adjustments, opts.region);
  const out = prepareOutput(image, opts.output);
  const total = image.height;
  if (isNeutral(clampAdjustments(adjustments))) {
    copyPixels(image, out);
    onProgress?.({ stage: 'render', done: total, total });
    return out;
  }
  const band = Math.max(1, Math.floor(opts.bandRows ?? defaultBandRows(image.width)));
  for (let y = 0; y < total; y += band) {
    const end = Math.min(total, y + band);
    dehazeRowsWasm(plan, image.data, out.data, y, end);
    onProgress?.({ stage: 'render', done: end, total });
    if (end < total) {
      await yieldToEventLoop();
      throwIfAborted(signal);
    }
  }
  return out;
}

/** renderDehazed in one go, for preview-size images (slider redraws). */
export function renderDehazedSync(
  image: ImageBuffer,
  estimate: HazeEstimate,
  manifest: ModelManifest,
  adjustments: Adjustments,
  opts: Omit<RenderOptions, 'signal' | 'onProgress'> = {},
): ImageBuffer {
  const plan = makePlan(image, estimate, manifest, adjustments, opts.region);
  const out = prepareOutput(image, opts.output);
  if (isNeutral(clampAdjustments(adjustments))) {
    copyPixels(image, out);
    return out;
  }
  const band = Math.max(1, Math.floor(opts.bandRows ?? image.height));
  for (let y = 0; y < image.height; y += band) dehazeRowsWasm(plan, image.data, out.data, y, Math.min(image.height, y + band));
  return out;
}

/**
 * The transmission after the sliders (the luma's: protect acts on colour only) as an 8-bit grey image: white = no haze
 * removed, dark = much removed. Without adjustments it shows the model's own estimate.
 */
export function renderHazeMap(
  image: ImageBuffer,
  estimate: HazeEstimate,
  manifest: ModelManifest,
  adjustments: Adjustments = { strength: 100, distance: 0, protect: 0, exposure: 0 },
  opts: HazeMapOptions = {},
): ImageBuffer {
  const plan = makePlan(image, estimate, manifest, adjustments, opts.region);
  const channels = opts.channels ?? 4;
  if (channels !== 3 && channels !== 4) throw new Error(`haze map channels must be 3 or 4, got ${String(channels)}`);
  const { width, height } = plan;
  const out = new Uint8ClampedArray(width * height * channels);
  // Strength 0 removes no haze: white.
  if (plan.strength === 0) out.fill(255);
  else hazeMapWasm(plan, image.data, out, channels);
  return { width, height, channels, data: out };
}
