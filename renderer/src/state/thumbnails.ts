/** Fills in filmstrip thumbnails a couple at a time; an unreadable file is marked, not fatal. */
import type { Host } from '../host/host';
import type { Photo } from './photo.svelte';

export const THUMB_SIZE = 144;

export function loadThumbnails(host: Host, photos: Photo[], signal: AbortSignal, concurrency = 2): Promise<void> {
  const queue = photos.filter((p) => !p.thumbUrl && p.status !== 'error');
  const worker = async (): Promise<void> => {
    for (let p = queue.shift(); p && !signal.aborted; p = queue.shift()) {
      try {
        const blob = await host.thumbnail(p.entry, THUMB_SIZE);
        if (signal.aborted) return;
        p.thumbUrl = URL.createObjectURL(blob);
      } catch (e) {
        p.fail((e as Error).message);
      }
    }
  };
  return Promise.all(Array.from({ length: concurrency }, worker)).then(() => undefined);
}
