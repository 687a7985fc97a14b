/**
 * Undo/redo over edits. An edit records, for every photo it touched, the adjustments before and
 * after, so undoing "apply to all" restores each photo's own earlier values.
 */
import type { Adjustments } from '../../../engine/types';

export interface PhotoChange {
  photoId: string;
  before: Adjustments;
  after: Adjustments;
}

export interface Edit {
  label: string;
  changes: PhotoChange[];
}

export function sameAdjustments(a: Adjustments, b: Adjustments): boolean {
  return a.strength === b.strength && a.distance === b.distance && a.protect === b.protect && a.exposure === b.exposure;
}

export class EditHistory {
  private done: Edit[] = [];
  private undone: Edit[] = [];

  constructor(private readonly limit = 500) {}

  /** Records an edit; changes that change nothing are dropped, and an empty edit is ignored. */
  push(edit: Edit): boolean {
    const changes = edit.changes.filter((c) => !sameAdjustments(c.before, c.after));
    if (changes.length === 0) return false;
    this.done.push({ label: edit.label, changes });
    if (this.done.length > this.limit) this.done.shift();
    this.undone = [];
    return true;
  }

  /** The edit to revert: apply each change's `before`. */
  undo(): Edit | null {
    const edit = this.done.pop();
    if (!edit) return null;
    this.undone.push(edit);
    return edit;
  }

  /** The edit to replay: apply each change's `after`. */
  redo(): Edit | null {
    const edit = this.undone.pop();
    if (!edit) return null;
    this.done.push(edit);
    return edit;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  get nextUndoLabel(): string | null {
    return this.done.at(-1)?.label ?? null;
  }

  get nextRedoLabel(): string | null {
    return this.undone.at(-1)?.label ?? null;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
  }
}
