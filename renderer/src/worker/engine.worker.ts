/// <reference lib="webworker" />
/**
 * The engine worker: owns the ONNX session, decodes photos, runs the network once per photo and
 * renders previews and exports, so the UI thread never does pixel work.
 */
import { estimateHaze, parseManifest, renderDehazed, renderDehazedSync, renderHazeMap, isAbortError } from '../../../engine/index';
import { paddedSize } from '../../../engine/network-size';
import { throwIfAborted } from '../../../engine/abort';
import { createWebBackend } from '../../../engine/backend-web';
import type { HazeEstimate, ImageBuffer, InferenceBackend, ModelManifest, Progress } from '../../../engine/types';
import { crop, fitInside, fullPixels, imageDataOf, resized, sourceBitmap, type Rgba } from './decode';
import { PhotoCache, type CacheEntry, type Prepared } from './photo-cache';
import type {
  ExportRequest,
  ExportResult,
  InitRequest,
  InitResult,
  NetworkRequest,
  NetworkResult,
  OpenRequest,
  OpenResult,
  PhotoSource,
  PreviewRequest,
  PreviewResult,
  ProxyRequest,
  ProxyResult,
  WorkerRequest,
  WorkerResponse,
} from './protocol';

declare const self: DedicatedWorkerGlobalScope;

const now = (): number => performance.now();

let manifest: ModelManifest | null = null;
let backend: InferenceBackend | null = null;
const cache = new PhotoCache(3);
const running = new Map<number, AbortController>();

// One network run at a time: onnxruntime sessions are not re-entrant, and two runs would only
// split the same cores anyway.
let networkChain: Promise<unknown> = Promise.resolve();
function serially<T>(job: () => Promise<T>): Promise<T> {
  const next = networkChain.then(job, job);
  networkChain = next.catch(() => undefined);
  return next;
}

function ready(): { manifest: ModelManifest; backend: InferenceBackend } {
  if (!manifest || !backend) throw new Error('the engine is not initialised yet');
  return { manifest, backend };
}

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

/**
 * One run on a blank landscape input while the user picks a photo: a session's first run costs
 * 0.3-0.7 s more than the next ones (the runtime's code is compiled further as it runs, buffers
 * are planned), which the first photo would otherwise wait for.
 */
async function warmUp(b: InferenceBackend, m: ModelManifest): Promise<void> {
  const w = paddedSize(m.input.maxSide, m.input.multiple);
  const h = paddedSize(Math.round((m.input.maxSide * 3) / 4), m.input.multiple);
  try {
    await b.run(new Float32Array(3 * h * w).fill(0.5), h, w);
  } catch {
    // A failing network shows itself on the first photo, with the message it gives there.
  }
}

async function init(req: InitRequest): Promise<InitResult> {
  const start = now();
  const m = parseManifest(req.manifest);
  manifest = m;
  if (backend) await backend.dispose();
  backend = null;
  // Threads need SharedArrayBuffer, which needs cross-origin isolation (COOP + COEP headers).
  const threads = req.numThreads ?? (self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1);
  const b = await createWebBackend(req.onnx, m, {
    wasmPaths: req.wasmBase,
    numThreads: threads,
    force: req.backend === 'auto' ? undefined : req.backend,
  });
  backend = b;
  void serially(() => warmUp(b, m));
  return { backend: b.name, reason: b.reason, threads, crossOriginIsolated: self.crossOriginIsolated, ms: now() - start };
}

/** When the photo on screen was last re-rendered (a slider moving), for background work to wait on. */
let lastPreviewAt = -Infinity;
const FOREGROUND_QUIET_MS = 400;

/**
 * Background preparation (the next photo) waits between its stages while the photo on screen is
 * being re-rendered: each stage holds this thread for up to a second with a 24 MP photo, which a
 * slider drag would otherwise wait for.
 */
async function foregroundQuiet(background: () => boolean, signal: AbortSignal): Promise<void> {
  while (background() && now() - lastPreviewAt < FOREGROUND_QUIET_MS) {
    throwIfAborted(signal);
    await new Promise((done) => setTimeout(done, FOREGROUND_QUIET_MS / 4));
  }
}

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

async function decodeFull(source: PhotoSource, signal: AbortSignal): Promise<{ full: Rgba; bitmap: ImageBitmap | null }> {
  const decoded = await decodeSource(source, signal);
  return { full: await decoded.full(), bitmap: decoded.bitmap };
}

async function proxyOf(full: Rgba, bitmap: ImageBitmap | null, maxSide: number): Promise<Rgba> {
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
async function reproxy(req: ProxyRequest): Promise<ProxyResult> {
  const entry = cache.get(req.photoId);
  if (!entry?.settled) throw new Error('this photo is not open');
  const p = await (await withProxy(entry, req.proxyMaxSide)).promise;
  const original = await createImageBitmap(imageDataOf(p.proxy));
  return { photoId: req.photoId, proxyWidth: p.proxy.width, proxyHeight: p.proxy.height, original };
}

async function open(req: OpenRequest): Promise<OpenResult> {
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

async function preview(req: PreviewRequest): Promise<PreviewResult> {
  lastPreviewAt = now();
  const { manifest: m } = ready();
  const entry = cache.get(req.photoId);
  if (!entry) throw new Error('this photo is not open');
  const p = await entry.promise;
  const start = now();
  let source: Rgba = p.proxy;
  let region: { left: number; top: number; fullWidth: number; fullHeight: number } | undefined;
  let original: ImageBitmap | null = null;
  if (req.rect) {
    const r = clampRect(req.rect, p.full);
    source = crop(p.full, r.left, r.top, r.width, r.height);
    region = { left: r.left, top: r.top, fullWidth: p.full.width, fullHeight: p.full.height };
    original = toBitmap(source);
  }
  const out = req.mode === 'haze'
    ? renderHazeMap(source, p.estimate, m, req.adjustments, { region })
    : renderDehazedSync(source, p.estimate, m, req.adjustments, { region, output: outputFor(source) });
  const bitmap = toBitmap(out);
  return { photoId: req.photoId, mode: req.mode, adjustments: req.adjustments, rect: req.rect ? clampRect(req.rect, p.full) : null, bitmap, original, renderMs: now() - start };
}

function clampRect(r: { left: number; top: number; width: number; height: number }, image: Rgba) {
  const left = Math.max(0, Math.min(image.width - 1, Math.floor(r.left)));
  const top = Math.max(0, Math.min(image.height - 1, Math.floor(r.top)));
  const width = Math.max(1, Math.min(image.width - left, Math.ceil(r.width)));
  const height = Math.max(1, Math.min(image.height - top, Math.ceil(r.height)));
  return { left, top, width, height };
}

async function exportPhoto(req: ExportRequest, signal: AbortSignal, progress: (p: Progress) => void): Promise<ExportResult> {
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
    const blob = await canvas.convertToBlob({ type: req.mime, quality: req.quality / 100 });
    throwIfAborted(signal);
    if (blob.type !== req.mime) throw new Error(`this browser cannot encode ${req.mime} (it produced ${blob.type || 'nothing'})`);
    progress({ stage: 'encode', done: 1, total: 1 });
    lap('encode');
    return { blob, width: rendered.width, height: rendered.height, timings };
  } finally {
    bitmap?.close();
  }
}

async function network(req: NetworkRequest): Promise<NetworkResult> {
  const { manifest: m, backend: b } = ready();
  const image: ImageBuffer = { width: req.width, height: req.height, channels: 4, data: req.rgba };
  const e = await serially(() => estimateHaze(b, m, image));
  return { transmission: e.transmission, airlight: Float32Array.from(e.airlight), netWidth: e.netWidth, netHeight: e.netHeight, backend: b.name };
}

function transferablesOf(value: unknown): Transferable[] {
  const out: Transferable[] = [];
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      if (v instanceof ImageBitmap) out.push(v);
      else if (v instanceof Float32Array && v.buffer instanceof ArrayBuffer) out.push(v.buffer);
    }
  }
  return out;
}

// Previews run one after another: each is short, and order matters (the newest is drawn last).
let previewChain: Promise<unknown> = Promise.resolve();

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(msg.id, controller);
  const progress = (p: Progress): void => post({ type: 'progress', id: msg.id, progress: p });
  try {
    let value: unknown;
    switch (msg.type) {
      case 'init':
        value = await init(msg);
        break;
      case 'open': {
        const pending = open(msg);
        // Cancelling a foreground open drops the half-prepared photo.
        controller.signal.addEventListener('abort', () => {
          const e = cache.get(msg.photoId);
          if (e && !e.settled) cache.delete(msg.photoId);
        });
        value = await pending;
        break;
      }
      case 'proxy':
        value = await reproxy(msg);
        break;
      case 'preview': {
        const job = previewChain.then(() => {
          throwIfAborted(controller.signal);
          return preview(msg);
        });
        previewChain = job.catch(() => undefined);
        value = await job;
        break;
      }
      case 'export':
        value = await exportPhoto(msg, controller.signal, progress);
        break;
      case 'network':
        value = await network(msg);
        break;
      case 'forget':
        for (const id of msg.photoIds) cache.delete(id);
        value = null;
        break;
    }
    post({ type: 'result', id: msg.id, value }, transferablesOf(value));
  } catch (e) {
    const aborted = isAbortError(e) || controller.signal.aborted;
    post({ type: 'error', id: msg.id, message: aborted ? 'cancelled' : errorMessage(e), aborted });
  } finally {
    running.delete(msg.id);
  }
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  void handle(event.data);
};
