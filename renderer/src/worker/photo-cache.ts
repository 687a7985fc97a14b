/**
 * Prepared photos (pixels, proxy, haze estimate) kept in the worker: the current one, the one
 * prepared in the background for the next step, and the previous one for quick back-and-forth.
 */
import type { HazeEstimate } from '../../../engine/types';
import type { Rgba } from './decode';

export interface Prepared {
  photoId: string;
  full: Rgba;
  proxy: Rgba;
  estimate: HazeEstimate;
  decodeMs: number;
  estimateMs: number;
}

export interface CacheEntry {
  photoId: string;
  proxyMaxSide: number;
  promise: Promise<Prepared>;
  controller: AbortController;
  background: boolean;
  settled: boolean;
  lastUsed: number;
}

export class PhotoCache {
  private readonly entries = new Map<string, CacheEntry>();
  private clock = 0;

  constructor(private readonly capacity = 3) {}

  get(photoId: string): CacheEntry | undefined {
    const e = this.entries.get(photoId);
    if (e) e.lastUsed = ++this.clock;
    return e;
  }

  add(entry: Omit<CacheEntry, 'settled' | 'lastUsed'>): CacheEntry {
    const e: CacheEntry = { ...entry, settled: false, lastUsed: ++this.clock };
    this.entries.set(e.photoId, e);
    const forget = (): void => {
      if (this.entries.get(e.photoId) === e) this.entries.delete(e.photoId);
    };
    e.promise.then(
      () => {
        e.settled = true;
        this.evict();
      },
      () => {
        // A failed or aborted preparation is not kept: the next request retries.
        e.settled = true;
        forget();
      },
    );
    return e;
  }

  delete(photoId: string): void {
    const e = this.entries.get(photoId);
    if (!e) return;
    e.controller.abort();
    this.entries.delete(photoId);
  }

  /** Aborts background work on photos other than `keep` that has not finished yet. */
  abortBackgroundExcept(keep: string): void {
    for (const e of [...this.entries.values()]) {
      if (e.background && !e.settled && e.photoId !== keep) this.delete(e.photoId);
    }
  }

  private evict(): void {
    const done = [...this.entries.values()].filter((e) => e.settled).sort((a, b) => a.lastUsed - b.lastUsed);
    while (done.length > this.capacity) {
      const e = done.shift();
      if (e) this.entries.delete(e.photoId);
    }
  }
}
