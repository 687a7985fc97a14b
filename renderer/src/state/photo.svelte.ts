/** One photo of the album as the UI sees it. */
import type { Adjustments } from '../../../engine/types';
import type { PhotoEntry } from '../host/host';
import { sameAdjustments } from '../lib/history';

export type PhotoStatus = 'new' | 'loading' | 'ready' | 'error';

export class Photo {
  readonly entry: PhotoEntry;
  adjustments = $state<Adjustments>({ strength: 0, distance: 0, protect: 0, exposure: 0 });
  status = $state<PhotoStatus>('new');
  error = $state<string | null>(null);
  /** The settings of its last export in this session (null: none). */
  exportedWith = $state<Adjustments | null>(null);
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

  /** Exported as it is now: its settings have not changed since (or are back to those). */
  get exported(): boolean {
    return this.exportedWith !== null && sameAdjustments(this.exportedWith, this.adjustments);
  }

  fail(message: string): void {
    this.status = 'error';
    this.error = message;
  }
}
