import { describe, expect, it } from 'vitest';
import { EditHistory } from '../../renderer/src/lib/history';

const adj = (strength: number) => ({ strength, distance: 0, protect: 0, exposure: 0 });

describe('undo/redo history', () => {
  it('undoes and redoes edits in order, and a new edit clears redo', () => {
    const h = new EditHistory();
    h.push({ label: 'Strength', changes: [{ photoId: 'a', before: adj(100), after: adj(50) }] });
    h.push({ label: 'Strength', changes: [{ photoId: 'a', before: adj(50), after: adj(20) }] });
    expect(h.undo()?.changes[0].before).toEqual(adj(50));
    expect(h.undo()?.changes[0].before).toEqual(adj(100));
    expect(h.undo()).toBeNull();
    expect(h.redo()?.changes[0].after).toEqual(adj(50));
    h.push({ label: 'Exposure', changes: [{ photoId: 'a', before: adj(50), after: { ...adj(50), exposure: 10 } }] });
    expect(h.canRedo).toBe(false);
    expect(h.nextUndoLabel).toBe('Exposure');
  });

  it('ignores changes that change nothing and keeps multi-photo edits whole', () => {
    const h = new EditHistory();
    expect(h.push({ label: 'noop', changes: [{ photoId: 'a', before: adj(10), after: adj(10) }] })).toBe(false);
    expect(h.canUndo).toBe(false);
    h.push({
      label: 'Apply to all',
      changes: [
        { photoId: 'a', before: adj(10), after: adj(70) },
        { photoId: 'b', before: adj(70), after: adj(70) },
        { photoId: 'c', before: adj(30), after: adj(70) },
      ],
    });
    const edit = h.undo();
    expect(edit?.changes.map((c) => [c.photoId, c.before.strength])).toEqual([
      ['a', 10],
      ['c', 30],
    ]);
  });

  it('forgets the oldest edits past its limit', () => {
    const h = new EditHistory(3);
    for (let i = 0; i < 5; i++) h.push({ label: `e${i}`, changes: [{ photoId: 'a', before: adj(i), after: adj(i + 1) }] });
    const labels: string[] = [];
    for (let e = h.undo(); e; e = h.undo()) labels.push(e.label);
    expect(labels).toEqual(['e4', 'e3', 'e2']);
  });
});
