/**
 * Exports in the browser: the full-resolution photo rendered and encoded by the browser's own
 * encoders, reusing the decoded pixels and estimate of a photo already prepared.
 */
import { estimateHaze, renderDehazed } from '../../../engine/index';
import { throwIfAborted } from '../../../engine/abort';
import type { HazeEstimate } from '../../../engine/types';
import { fitInside, imageDataOf, type Rgba } from './decode';
import { cache, decodeFull, proxyOf } from './prepare';
import type { CallContext, ExportRequest, ExportResult } from './protocol';
import { now, serially } from './scheduler';
import { ready } from './session';

export async function exportPhoto(req: ExportRequest, { signal, progress }: CallContext): Promise<ExportResult> {
  const { manifest: m, backend: b } = ready();
  const timings: Record<string, number> = {};
  let t = now();
  const lap = (name: string): void => {
    timings[name] = now() - t;
    t = now();
  };
  progress({ stage: 'decode', done: 0, total: 1 });
  const reuse = cache.get(req.photoId);
  let full: Rgba;
  let estimate: HazeEstimate;
  let shared = false;
  let bitmap: ImageBitmap | null = null;
  if (reuse?.settled) {
    const p = await reuse.promise;
    full = p.full;
    estimate = p.estimate;
    shared = true;
  } else {
    const decoded = await decodeFull(req.source, signal);
    full = decoded.full;
    bitmap = decoded.bitmap;
    progress({ stage: 'decode', done: 1, total: 1 });
    lap('decode');
    estimate = await serially(() =>
      estimateHaze(b, m, full, { signal, onProgress: (p) => progress({ stage: 'estimate', done: p.done, total: p.total }) }),
    );
    lap('estimate');
  }
  try {
    let target = full;
    if (req.maxSize !== null && Math.max(full.width, full.height) > req.maxSize) {
      const size = fitInside(full.width, full.height, req.maxSize);
      target = await proxyOf(full, bitmap, req.maxSize);
      if (target.width !== size.width || target.height !== size.height) throw new Error('resize failed');
      shared = false;
      lap('resize');
    }
    bitmap?.close();
    bitmap = null;
    throwIfAborted(signal);
    // In place unless the pixels belong to the preview cache.
    const rendered = await renderDehazed(target, estimate, m, req.adjustments, {
      output: shared ? undefined : target,
      signal,
      onProgress: (p) => progress({ stage: 'render', done: p.done, total: p.total }),
    });
    lap('render');
    progress({ stage: 'encode', done: 0, total: 1 });
    const canvas = new OffscreenCanvas(rendered.width, rendered.height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas in the worker');
    ctx.putImageData(imageDataOf(rendered), 0, 0);
    const encoded = req.mime === 'image/jpeg' && hasClearPixels(rendered.data) ? onWhite(canvas) : canvas;
    const blob = await encoded.convertToBlob({ type: req.mime, quality: req.quality / 100 });
    throwIfAborted(signal);
    if (blob.type !== req.mime) throw new Error(`this browser cannot encode ${req.mime} (it produced ${blob.type || 'nothing'})`);
    progress({ stage: 'encode', done: 1, total: 1 });
    lap('encode');
    return { blob, width: rendered.width, height: rendered.height, timings };
  } finally {
    bitmap?.close();
  }
}

/** Whether any pixel of RGBA samples is less than opaque. */
function hasClearPixels(rgba: ArrayLike<number>): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return true;
  return false;
}

/**
 * JPEG has no alpha: the photo laid on white, as the desktop export lays it (node/image-io.ts),
 * where the browser's encoder would lay it on black.
 */
function onWhite(photo: OffscreenCanvas): OffscreenCanvas {
  const out = new OffscreenCanvas(photo.width, photo.height);
  const ctx = out.getContext('2d');
  if (!ctx) throw new Error('no 2D canvas in the worker');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.drawImage(photo, 0, 0);
  return out;
}
