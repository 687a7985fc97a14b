/**
 * Preparing photos: decoding, the haze estimate (the one network run per photo) and the
 * screen-size proxy that slider previews render, kept in the photo cache for the other jobs.
 */
import { estimateHaze } from '../../../engine/index';
import { throwIfAborted } from '../../../engine/abort';
import { fitInside, fullPixels, imageDataOf, resized, sourceBitmap, type Rgba } from './decode';
import { PhotoCache, type CacheEntry, type Prepared } from './photo-cache';
import type { CallContext, OpenRequest, OpenResult, PhotoSource, ProxyRequest, ProxyResult } from './protocol';
import { foregroundQuiet, now, serially } from './scheduler';
import { ready } from './session';

export const cache = new PhotoCache(3);

/** The photo's bitmap (null for pixels that came decoded) and, once copied, all its pixels. */
async function decodeSource(source: PhotoSource, signal: AbortSignal): Promise<{ bitmap: ImageBitmap | null; full: () => Promise<Rgba> }> {
  if (source.kind === 'rgba') {
    const data = new Uint8ClampedArray(source.data.buffer, source.data.byteOffset, source.width * source.height * 4);
    const full: Rgba = { width: source.width, height: source.height, channels: 4, data };
    return { bitmap: null, full: () => Promise.resolve(full) };
  }
  const bitmap = await sourceBitmap(source.blob);
  throwIfAborted(signal);
  return { bitmap, full: () => fullPixels(bitmap) };
}

export async function decodeFull(source: PhotoSource, signal: AbortSignal): Promise<{ full: Rgba; bitmap: ImageBitmap | null }> {
  const decoded = await decodeSource(source, signal);
  return { full: await decoded.full(), bitmap: decoded.bitmap };
}

export async function proxyOf(full: Rgba, bitmap: ImageBitmap | null, maxSide: number): Promise<Rgba> {
  const size = fitInside(full.width, full.height, maxSide);
  if (size.width === full.width && size.height === full.height) return full;
  const source = bitmap ?? (await createImageBitmap(imageDataOf(full), { premultiplyAlpha: 'none' }));
  try {
    return await resized(source, size.width, size.height);
  } finally {
    if (!bitmap) source.close();
  }
}

/** The proxy straight from the bitmap, so that the browser resamples it on its own threads while
 * this one copies the full pixels and runs the network. */
async function proxyFromBitmap(bitmap: ImageBitmap, maxSide: number): Promise<Rgba | null> {
  const size = fitInside(bitmap.width, bitmap.height, maxSide);
  if (size.width === bitmap.width && size.height === bitmap.height) return null; // the full pixels are the proxy
  return resized(bitmap, size.width, size.height);
}

async function prepare(
  photoId: string,
  source: PhotoSource,
  proxyMaxSide: number,
  signal: AbortSignal,
  background: () => boolean,
): Promise<Prepared> {
  const { manifest: m, backend: b } = ready();
  const start = now();
  await foregroundQuiet(background, signal);
  const decoded = await decodeSource(source, signal);
  const bitmap = decoded.bitmap;
  const early = bitmap ? proxyFromBitmap(bitmap, proxyMaxSide) : null;
  try {
    await foregroundQuiet(background, signal);
    const full = await decoded.full();
    const decodeMs = now() - start;
    throwIfAborted(signal);
    await foregroundQuiet(background, signal);
    const proxyPromise = early ? early.then((p) => p ?? full) : proxyOf(full, null, proxyMaxSide);
    const estimateStart = now();
    const estimate = await serially(() => estimateHaze(b, m, full, { signal }));
    const estimateMs = now() - estimateStart;
    const proxy = await proxyPromise;
    return { photoId, full, proxy, estimate, decodeMs, estimateMs };
  } finally {
    // Settle the proxy before the bitmap it reads from is closed.
    await early?.catch(() => undefined);
    bitmap?.close();
  }
}

/** The prepared photo again with a proxy of another size: decoded pixels and estimate are kept. */
async function withProxy(entry: CacheEntry, proxyMaxSide: number): Promise<CacheEntry> {
  const old = await entry.promise;
  const proxy = await proxyOf(old.full, null, proxyMaxSide);
  const promise = Promise.resolve({ ...old, proxy });
  return cache.add({ photoId: old.photoId, proxyMaxSide, promise, controller: new AbortController(), background: false });
}

/** The window grew: a larger proxy for the photo on screen, without running the network again. */
export async function reproxy(req: ProxyRequest): Promise<ProxyResult> {
  const entry = cache.get(req.photoId);
  if (!entry?.settled) throw new Error('this photo is not open');
  const p = await (await withProxy(entry, req.proxyMaxSide)).promise;
  const original = await createImageBitmap(imageDataOf(p.proxy));
  return { photoId: req.photoId, proxyWidth: p.proxy.width, proxyHeight: p.proxy.height, original };
}

export async function open(req: OpenRequest, { signal }: CallContext): Promise<OpenResult> {
  // Cancelling a foreground open drops the half-prepared photo.
  signal.addEventListener('abort', () => {
    const e = cache.get(req.photoId);
    if (e && !e.settled) cache.delete(req.photoId);
  });
  if (!req.background) cache.abortBackgroundExcept(req.photoId);
  let entry = cache.get(req.photoId);
  if (entry && entry.settled && !req.background && Math.abs(entry.proxyMaxSide - req.proxyMaxSide) > req.proxyMaxSide * 0.25) {
    // The window changed size a lot since this photo was prepared: only the proxy is redone.
    entry = await withProxy(entry, req.proxyMaxSide);
  }
  const cached = entry !== undefined;
  if (!entry) {
    const controller = new AbortController();
    // Asked for on screen meanwhile, it stops waiting for the foreground.
    const promise = prepare(req.photoId, req.source, req.proxyMaxSide, controller.signal, () => cache.get(req.photoId)?.background ?? req.background);
    entry = cache.add({ photoId: req.photoId, proxyMaxSide: req.proxyMaxSide, promise, controller, background: req.background });
  }
  if (!req.background) entry.background = false;
  const start = now();
  const p = await entry.promise;
  const original = req.background ? null : await createImageBitmap(imageDataOf(p.proxy));
  return {
    photoId: req.photoId,
    width: p.full.width,
    height: p.full.height,
    proxyWidth: p.proxy.width,
    proxyHeight: p.proxy.height,
    original,
    timings: {
      decode: cached ? 0 : p.decodeMs,
      estimate: cached ? 0 : p.estimateMs,
      network: p.estimate.timings.network ?? 0,
      total: cached ? now() - start : p.decodeMs + p.estimateMs,
      cached,
    },
  };
}
