/**
 * Drives the engine worker for the viewer: opens the current photo (network once), renders the
 * screen-size preview for every slider value, renders the visible region when zoomed past the
 * proxy's resolution, and prepares the next photo in the background.
 */
import { isAbortError } from '../../../engine/abort';
import type { Adjustments } from '../../../engine/types';
import type { Host } from '../host/host';
import { LatestOnly, type EngineClient } from '../worker/engine-client';
import { startEngine } from '../worker/engine-start';
import type { InitResult, OpenResult, PhotoSource, PreviewMode, PreviewRequest, PreviewResult, Rect } from '../worker/protocol';
import type { Photo } from './photo.svelte';

export interface Opened {
  photoId: string;
  width: number;
  height: number;
  proxyWidth: number;
  proxyHeight: number;
  original: ImageBitmap;
}

export interface Frame {
  photoId: string;
  mode: PreviewMode;
  adjustments: Adjustments;
  bitmap: ImageBitmap;
  /** Increments with every frame: tests and the benchmark wait on it. */
  seq: number;
}

export interface RegionFrame extends Frame {
  rect: Rect;
  original: ImageBitmap;
}

export interface Timings {
  decode: number | null;
  network: number | null;
  render: number | null;
  /** From asking for a photo to its first dehazed preview. */
  firstPreview: number | null;
}

/** Decoded pixels (Electron) move to the worker instead of being copied: 96 MB at 24 MP. */
function transferable(source: PhotoSource): Transferable[] {
  return source.kind === 'rgba' && source.data.buffer instanceof ArrayBuffer ? [source.data.buffer] : [];
}

/** How long the viewer's size must rest before the open photo's proxy is remade. */
const REGROW_DEBOUNCE_MS = 200;
/** A new proxy only when it would be this much larger than the one on screen. */
const REGROW_MARGIN = 1.25;

function same(a: Adjustments, b: Adjustments): boolean {
  return a.strength === b.strength && a.distance === b.distance && a.protect === b.protect && a.exposure === b.exposure;
}

export class PreviewController {
  engineInfo = $state.raw<InitResult | null>(null);
  engineError = $state<string | null>(null);
  opened = $state.raw<Opened | null>(null);
  frame = $state.raw<Frame | null>(null);
  region = $state.raw<RegionFrame | null>(null);
  loadingPhotoId = $state<string | null>(null);
  timings = $state<Timings>({ decode: null, network: null, render: null, firstPreview: null });

  private engine: Promise<EngineClient> | null = null;
  private client: EngineClient | null = null;
  private whole: LatestOnly | null = null;
  private zoomed: LatestOnly | null = null;
  private openController: AbortController | null = null;
  private readonly prefetched = new Set<string>();
  private seq = 0;
  private requestedAt = 0;
  /** The photo whose first preview is still to come (for the "first preview" timing). */
  private awaitingFirst: string | null = null;
  /** The photo on screen (opened or still opening). */
  private wanted: string | null = null;
  private want: { adjustments: Adjustments; mode: PreviewMode; rect: Rect | null } | null = null;
  private readonly host: Host;

  /** Long side of the proxy that photos are opened with: about the viewer's size in device pixels. */
  proxyMaxSide = 1600;
  private regrowTimer: ReturnType<typeof setTimeout> | null = null;
  private regrowing = false;

  constructor(host: Host) {
    this.host = host;
  }

  start(): Promise<EngineClient> {
    this.engine ??= (async () => {
      try {
        const model = await this.host.loadModel();
        const { client, info } = await startEngine(model);
        this.client = client;
        this.engineInfo = info;
        this.whole = new LatestOnly(client, (r) => this.received(r), (e) => this.failed(e));
        this.zoomed = new LatestOnly(client, (r) => this.received(r), (e) => this.failed(e));
        return client;
      } catch (e) {
        this.engineError = `The dehazing engine could not start: ${(e as Error).message}`;
        throw e;
      }
    })();
    return this.engine;
  }

  /**
   * The viewer's size changed. Photos opened from now on get a proxy of about this long side; the
   * one on screen gets a new one (the estimate is kept: no network run) once the size has settled
   * for a moment, if it has grown enough to show visibly more detail. Shrinking keeps the proxy.
   */
  setProxyMaxSide(maxSide: number): void {
    if (maxSide === this.proxyMaxSide) return;
    this.proxyMaxSide = maxSide;
    if (this.regrowTimer !== null) clearTimeout(this.regrowTimer);
    this.regrowTimer = setTimeout(() => {
      this.regrowTimer = null;
      void this.regrow();
    }, REGROW_DEBOUNCE_MS);
  }

  /** Remakes the open photo's proxy when the viewer has outgrown it. */
  private async regrow(): Promise<void> {
    const opened = this.opened;
    if (!opened || !this.client || this.regrowing || opened.photoId !== this.wanted) return;
    const current = Math.max(opened.proxyWidth, opened.proxyHeight);
    // A proxy is never larger than the photo itself.
    const wanted = Math.min(this.proxyMaxSide, Math.max(opened.width, opened.height));
    if (wanted <= current * REGROW_MARGIN) return;
    this.regrowing = true;
    try {
      const r = await this.client.call('proxy', { photoId: opened.photoId, proxyMaxSide: this.proxyMaxSide });
      if (this.opened?.photoId !== r.photoId) {
        r.original.close();
        return;
      }
      const old = this.opened;
      this.opened = { ...old, proxyWidth: r.proxyWidth, proxyHeight: r.proxyHeight, original: r.original };
      old.original.close();
      this.render();
    } catch (e) {
      // The photo was closed or forgotten meanwhile: it gets a fitting proxy when opened again.
      if (!isAbortError(e)) console.warn(`Preview resize: ${(e as Error).message}`);
      return;
    } finally {
      this.regrowing = false;
    }
    // The window may have grown again while this one was made.
    void this.regrow();
  }

  /** Makes `photo` the one on screen. Resolves when its first preview was asked for. */
  async show(photo: Photo, adjustments: Adjustments, mode: PreviewMode, next: Photo | null): Promise<void> {
    if (this.opened?.photoId === photo.id) {
      // Back to the photo already open (e.g. before another finished opening).
      this.openController?.abort();
      this.wanted = photo.id;
      this.awaitingFirst = null;
      this.loadingPhotoId = null;
      if (photo.status === 'loading') photo.status = 'ready';
      this.want = { adjustments, mode, rect: null };
      this.render();
      return;
    }
    this.openController?.abort();
    const controller = new AbortController();
    this.openController = controller;
    this.whole?.clear();
    this.zoomed?.clear();
    this.loadingPhotoId = photo.id;
    this.requestedAt = performance.now();
    this.awaitingFirst = photo.id;
    this.wanted = photo.id;
    this.want = { adjustments, mode, rect: null };
    if (photo.status === 'error' && photo.error) {
      this.loadingPhotoId = null;
      return;
    }
    photo.status = 'loading';
    try {
      const client = await this.start();
      const source = await this.host.readPhoto(photo.entry);
      const r: OpenResult = await client.call(
        'open',
        { photoId: photo.id, source, proxyMaxSide: this.proxyMaxSide, background: false },
        { signal: controller.signal, transfer: transferable(source) },
      );
      if (controller.signal.aborted || !r.original) {
        r.original?.close();
        return;
      }
      photo.width = r.width;
      photo.height = r.height;
      photo.status = 'ready';
      this.opened?.original.close();
      this.opened = { photoId: r.photoId, width: r.width, height: r.height, proxyWidth: r.proxyWidth, proxyHeight: r.proxyHeight, original: r.original };
      this.region = null;
      this.timings = {
        ...this.timings,
        decode: r.timings.cached ? this.timings.decode : r.timings.decode,
        network: r.timings.network,
      };
      this.loadingPhotoId = null;
      this.render();
      // The window may have grown while the photo was opening with the older size.
      void this.regrow();
      if (next) void this.prefetch(next);
    } catch (e) {
      if (isAbortError(e) || controller.signal.aborted) return;
      photo.fail((e as Error).message);
      if (this.loadingPhotoId === photo.id) this.loadingPhotoId = null;
    }
  }

  /** Decodes and estimates `photo` quietly so stepping to it is instant. */
  private async prefetch(photo: Photo): Promise<void> {
    if (this.prefetched.has(photo.id) || photo.status === 'error' || !this.client) return;
    this.prefetched.add(photo.id);
    try {
      const source = await this.host.readPhoto(photo.entry);
      const r = await this.client.call(
        'open',
        { photoId: photo.id, source, proxyMaxSide: this.proxyMaxSide, background: true },
        { transfer: transferable(source) },
      );
      photo.width = r.width;
      photo.height = r.height;
    } catch (e) {
      this.prefetched.delete(photo.id);
      if (!isAbortError(e)) photo.fail((e as Error).message);
    }
  }

  /** New slider values or view mode for the photo on screen. */
  update(adjustments: Adjustments, mode: PreviewMode): void {
    this.want = { adjustments, mode, rect: this.want?.rect ?? null };
    this.render();
  }

  /** The visible full-resolution region when zoomed in past the proxy, or null. */
  setRegion(rect: Rect | null): void {
    if (!this.want) return;
    const old = this.want.rect;
    if (old === rect || (old && rect && old.left === rect.left && old.top === rect.top && old.width === rect.width && old.height === rect.height)) return;
    this.want = { ...this.want, rect };
    if (!rect) this.region = null;
    this.renderRegion();
  }

  private render(): void {
    const opened = this.opened;
    const want = this.want;
    // Nothing to draw for a photo that is no longer (or not yet) the one on screen.
    if (!opened || !want || !this.whole || opened.photoId !== this.wanted) return;
    this.whole.request({ photoId: opened.photoId, adjustments: want.adjustments, mode: want.mode });
    this.renderRegion();
  }

  private renderRegion(): void {
    const opened = this.opened;
    const want = this.want;
    if (!opened || !want?.rect || !this.zoomed || opened.photoId !== this.wanted) return;
    this.zoomed.request({ photoId: opened.photoId, adjustments: want.adjustments, mode: want.mode, rect: want.rect });
  }

  private received(r: PreviewResult): void {
    if (r.photoId !== this.opened?.photoId) {
      r.bitmap.close();
      r.original?.close();
      return;
    }
    this.timings = { ...this.timings, render: r.renderMs };
    const adjustments = r.adjustments;
    if (r.rect && r.original) {
      const old = this.region;
      this.region = { photoId: r.photoId, mode: r.mode, adjustments, bitmap: r.bitmap, original: r.original, rect: r.rect, seq: ++this.seq };
      old?.bitmap.close();
      old?.original.close();
      return;
    }
    const old = this.frame;
    this.frame = { photoId: r.photoId, mode: r.mode, adjustments, bitmap: r.bitmap, seq: ++this.seq };
    if (old && old.bitmap !== r.bitmap) old.bitmap.close();
    if (this.awaitingFirst === r.photoId) {
      this.awaitingFirst = null;
      this.timings = { ...this.timings, firstPreview: performance.now() - this.requestedAt };
    }
  }

  private failed(e: Error): void {
    this.engineError = `Preview failed: ${e.message}`;
  }

  /** Whether the frame on screen shows exactly these values (tests wait on it). */
  isCurrent(adjustments: Adjustments, mode: PreviewMode): boolean {
    return this.frame !== null && this.frame.mode === mode && same(this.frame.adjustments, adjustments);
  }
}
