/** One photo of the album as the UI sees it. */
import type { Adjustments } from '../../../engine/types';
import type { PhotoEntry } from '../host/host';

export type PhotoStatus = 'new' | 'loading' | 'ready' | 'error';

export class Photo {
  readonly entry: PhotoEntry;
  adjustments = $state<Adjustments>({ strength: 0, distance: 0, protect: 0, exposure: 0 });
  status = $state<PhotoStatus>('new');
  error = $state<string | null>(null);
  exported = $state(false);
  thumbUrl = $state<string | null>(null);
  width = $state<number | null>(null);
  height = $state<number | null>(null);

  constructor(entry: PhotoEntry, adjustments: Adjustments) {
    this.entry = entry;
    this.adjustments = adjustments;
    if (entry.error) {
      this.status = 'error';
      this.error = entry.error;
    }
  }

  get id(): string {
    return this.entry.id;
  }

  get name(): string {
    return this.entry.name;
  }

  fail(message: string): void {
    this.status = 'error';
    this.error = message;
  }
}
