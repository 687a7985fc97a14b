/**
 * Slider previews: the proxy of the photo on screen, or a full-resolution region of it when
 * zoomed in past the proxy, rendered with the kept estimate (no network run).
 */
import { renderDehazedSync, renderHazeMap } from '../../../engine/index';
import type { ImageBuffer } from '../../../engine/types';
import { crop, imageDataOf, type Rgba } from './decode';
import { cache } from './prepare';
import type { CallContext, PreviewRequest, PreviewResult, Rect } from './protocol';
import { markForeground, now, previewInOrder } from './scheduler';
import { ready } from './session';

// Reused for every preview so a slider drag allocates nothing per frame.
let scratchCanvas: OffscreenCanvas | null = null;
let scratchOutput: Rgba | null = null;

function toBitmap(image: ImageBuffer): ImageBitmap {
  if (!scratchCanvas) scratchCanvas = new OffscreenCanvas(image.width, image.height);
  if (scratchCanvas.width !== image.width) scratchCanvas.width = image.width;
  if (scratchCanvas.height !== image.height) scratchCanvas.height = image.height;
  const ctx = scratchCanvas.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in the worker');
  ctx.putImageData(imageDataOf(image), 0, 0);
  return scratchCanvas.transferToImageBitmap();
}

function outputFor(image: Rgba): Rgba {
  if (!scratchOutput || scratchOutput.data.length !== image.data.length) {
    scratchOutput = { width: image.width, height: image.height, channels: 4, data: new Uint8ClampedArray(image.data.length) };
  }
  scratchOutput.width = image.width;
  scratchOutput.height = image.height;
  return scratchOutput;
}

function clampRect(r: Rect, image: Rgba): Rect {
  const left = Math.max(0, Math.min(image.width - 1, Math.floor(r.left)));
  const top = Math.max(0, Math.min(image.height - 1, Math.floor(r.top)));
  const width = Math.max(1, Math.min(image.width - left, Math.ceil(r.width)));
  const height = Math.max(1, Math.min(image.height - top, Math.ceil(r.height)));
  return { left, top, width, height };
}

async function render(req: PreviewRequest): Promise<PreviewResult> {
  markForeground();
  const { manifest: m } = ready();
  const entry = cache.get(req.photoId);
  if (!entry) throw new Error('this photo is not open');
  const p = await entry.promise;
  const start = now();
  let source: Rgba = p.proxy;
  let region: { left: number; top: number; fullWidth: number; fullHeight: number } | undefined;
  let original: ImageBitmap | null = null;
  const r = req.rect ? clampRect(req.rect, p.full) : null;
  if (r) {
    source = crop(p.full, r.left, r.top, r.width, r.height);
    region = { left: r.left, top: r.top, fullWidth: p.full.width, fullHeight: p.full.height };
    original = toBitmap(source);
  }
  const out = req.mode === 'haze'
    ? renderHazeMap(source, p.estimate, m, req.adjustments, { region })
    : renderDehazedSync(source, p.estimate, m, req.adjustments, { region, output: outputFor(source) });
  const bitmap = toBitmap(out);
  return { photoId: req.photoId, mode: req.mode, adjustments: req.adjustments, rect: r, bitmap, original, renderMs: now() - start };
}

export function preview(req: PreviewRequest, { signal }: CallContext): Promise<PreviewResult> {
  return previewInOrder(() => render(req), signal);
}
