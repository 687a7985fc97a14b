/**
 * The editor's state: the album, the current photo and its sliders, selection, undo history,
 * copy/paste of settings. Components read it; every change goes through these methods.
 */
import { ADJUSTMENT_RANGES, clampAdjustments } from '../../../engine/adjustments';
import type { Adjustments } from '../../../engine/types';
import type { Album, Host } from '../host/host';
import { EditHistory, sameAdjustments, type PhotoChange } from '../lib/history';
import { Photo } from './photo.svelte';

export type AdjustmentKey = keyof Adjustments;

export const ADJUSTMENT_LABELS: Record<AdjustmentKey, string> = {
  strength: 'Strength',
  distance: 'Distance',
  protect: 'Protect sky colour',
  exposure: 'Exposure',
};

export { ADJUSTMENT_RANGES };

export class Editor {
  photos = $state<Photo[]>([]);
  albumTitle = $state<string | null>(null);
  currentIndex = $state(-1);
  /** Ids chosen for "export selected" and "paste"; always includes the current photo. */
  selected = $state<Set<string>>(new Set());
  /** What the sliders show; differs from the photo's own value only while dragging. */
  live = $state<Adjustments>({ strength: 0, distance: 0, protect: 0, exposure: 0 });
  clipboard = $state<Adjustments | null>(null);
  defaults = $state<Adjustments>({ strength: 100, distance: 0, protect: 0, exposure: 0 });
  message = $state<string | null>(null);
  /** Bumped on every history change so $derived can see canUndo/canRedo. */
  private historyVersion = $state(0);
  private readonly history = new EditHistory();
  private readonly host: Host;

  constructor(host: Host) {
    this.host = host;
  }

  current = $derived<Photo | null>(this.photos[this.currentIndex] ?? null);

  get canUndo(): boolean {
    void this.historyVersion;
    return this.history.canUndo;
  }

  get canRedo(): boolean {
    void this.historyVersion;
    return this.history.canRedo;
  }

  get undoLabel(): string | null {
    void this.historyVersion;
    return this.history.nextUndoLabel;
  }

  get redoLabel(): string | null {
    void this.historyVersion;
    return this.history.nextRedoLabel;
  }

  isEdited(photo: Photo): boolean {
    return !sameAdjustments(photo.adjustments, this.defaults);
  }

  /** Replaces the album (open photos / folder / drop / recent). */
  async setAlbum(album: Album): Promise<void> {
    const saved = await this.host.loadAdjustments(album.photos).catch(() => album.photos.map(() => null));
    for (const p of this.photos) if (p.thumbUrl) URL.revokeObjectURL(p.thumbUrl);
    this.photos = album.photos.map((entry, i) => new Photo(entry, clampAdjustments(saved[i] ?? this.defaults)));
    this.albumTitle = album.title;
    this.history.clear();
    this.historyVersion++;
    this.currentIndex = -1;
    if (this.photos.length > 0) this.select(0);
  }

  select(index: number, mode: 'only' | 'toggle' | 'range' = 'only'): void {
    if (index < 0 || index >= this.photos.length) return;
    const photo = this.photos[index];
    if (mode === 'toggle') {
      const next = new Set(this.selected);
      if (next.has(photo.id) && next.size > 1) next.delete(photo.id);
      else next.add(photo.id);
      this.selected = next;
    } else if (mode === 'range' && this.currentIndex >= 0) {
      const [a, b] = [Math.min(index, this.currentIndex), Math.max(index, this.currentIndex)];
      this.selected = new Set(this.photos.slice(a, b + 1).map((p) => p.id));
    } else {
      this.selected = new Set([photo.id]);
    }
    this.currentIndex = index;
    this.live = { ...photo.adjustments };
  }

  step(delta: number): void {
    if (this.photos.length === 0) return;
    const next = Math.min(this.photos.length - 1, Math.max(0, this.currentIndex + delta));
    if (next !== this.currentIndex) this.select(next);
  }

  /**
   * Whether the current photo's settings can be changed: there is one and it can be read. The
   * sliders, reset, copy, paste and apply to all follow this, from the panel or the keyboard.
   */
  get canEdit(): boolean {
    return this.current !== null && this.current.status !== 'error';
  }

  /** A slider moving: the preview follows, the history does not (yet). */
  setLive(key: AdjustmentKey, value: number): void {
    if (!this.canEdit) return;
    this.live = clampAdjustments({ ...this.live, [key]: value });
  }

  /** The slider was released (or a value typed): one undo step for the whole gesture. */
  commitLive(label: string): void {
    const photo = this.current;
    if (!photo || !this.canEdit) return;
    this.apply(label, [{ photoId: photo.id, before: { ...photo.adjustments }, after: { ...this.live } }]);
  }

  setValue(key: AdjustmentKey, value: number, label = ADJUSTMENT_LABELS[key]): void {
    this.setLive(key, value);
    this.commitLive(label);
  }

  resetValue(key: AdjustmentKey): void {
    this.setValue(key, this.defaults[key], `Reset ${ADJUSTMENT_LABELS[key]}`);
  }

  resetAll(): void {
    if (!this.canEdit) return;
    this.live = { ...this.defaults };
    this.commitLive('Reset all');
  }

  copySettings(): void {
    if (!this.current || !this.canEdit) return;
    this.clipboard = { ...this.current.adjustments };
    this.message = 'Settings copied';
  }

  /** Pastes onto every selected photo that can be read (just the current one unless several are selected). */
  pasteSettings(): void {
    const clip = this.clipboard;
    if (!clip || !this.canEdit) return;
    const targets = this.photos.filter((p) => this.selected.has(p.id) && p.status !== 'error');
    this.apply(
      targets.length > 1 ? `Paste settings to ${targets.length} photos` : 'Paste settings',
      targets.map((p) => ({ photoId: p.id, before: { ...p.adjustments }, after: { ...clip } })),
    );
  }

  /** The current photo's settings onto every photo of the album that can be read. */
  applyToAll(): void {
    const source = this.current;
    if (!source || !this.canEdit) return;
    const value = { ...source.adjustments };
    const targets = this.photos.filter((p) => p.status !== 'error');
    this.apply(
      'Apply to all',
      targets.map((p) => ({ photoId: p.id, before: { ...p.adjustments }, after: { ...value } })),
    );
    const unreadable = this.photos.length - targets.length;
    this.message = `Settings applied to ${targets.length} photos${unreadable ? ` (${unreadable} that cannot be read left out)` : ''}`;
  }

  undo(): void {
    const edit = this.history.undo();
    this.historyVersion++;
    if (edit) this.replay(edit.changes, 'before');
  }

  redo(): void {
    const edit = this.history.redo();
    this.historyVersion++;
    if (edit) this.replay(edit.changes, 'after');
  }

  private apply(label: string, changes: PhotoChange[]): void {
    if (this.history.push({ label, changes })) this.historyVersion++;
    this.replay(changes, 'after');
  }

  private replay(changes: PhotoChange[], side: 'before' | 'after'): void {
    const byId = new Map(this.photos.map((p) => [p.id, p]));
    for (const c of changes) {
      const photo = byId.get(c.photoId);
      if (!photo) continue;
      photo.adjustments = { ...c[side] };
      void this.host.saveAdjustments(photo.entry, sameAdjustments(photo.adjustments, this.defaults) ? null : photo.adjustments).catch(() => undefined);
    }
    // Undoing a single-photo edit shows that photo, so the change is visible.
    if (changes.length === 1) {
      const index = this.photos.findIndex((p) => p.id === changes[0].photoId);
      if (index >= 0 && index !== this.currentIndex) this.select(index);
    }
    if (this.current) this.live = { ...this.current.adjustments };
  }
}
