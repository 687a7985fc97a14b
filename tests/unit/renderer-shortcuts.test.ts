import { describe, expect, it } from 'vitest';
import { commandFor, SHORTCUTS } from '../../renderer/src/lib/shortcuts';

const key = (k: string, mods: { ctrl?: boolean; meta?: boolean; shift?: boolean; alt?: boolean } = {}) => ({
  key: k,
  ctrlKey: !!mods.ctrl,
  metaKey: !!mods.meta,
  shiftKey: !!mods.shift,
  altKey: !!mods.alt,
});

describe('keyboard shortcuts', () => {
  it('tells undo from redo and Ctrl from Cmd', () => {
    expect(commandFor(key('z', { ctrl: true }))).toBe('undo');
    expect(commandFor(key('Z', { ctrl: true, shift: true }))).toBe('redo');
    expect(commandFor(key('z', { meta: true }))).toBe('undo');
    expect(commandFor(key('y', { ctrl: true }))).toBe('redo');
    expect(commandFor(key('o', { ctrl: true }))).toBe('open-photos');
    expect(commandFor(key('O', { ctrl: true, shift: true }))).toBe('open-folder');
  });

  it('plain keys work without modifiers and not with them', () => {
    expect(commandFor(key('ArrowRight'))).toBe('next-photo');
    expect(commandFor(key('ArrowLeft'))).toBe('previous-photo');
    expect(commandFor(key('?', { shift: true }))).toBe('help');
    expect(commandFor(key('+', { shift: true }))).toBe('zoom-in');
    expect(commandFor(key('s'))).toBe('toggle-split');
    expect(commandFor(key('s', { ctrl: true }))).toBeNull();
    expect(commandFor(key('S', { shift: true }))).toBeNull();
    expect(commandFor(key('R', { shift: true }))).toBe('reset-all');
    expect(commandFor(key('z', { alt: true }))).toBeNull();
  });

  it('every shortcut is reachable and none shadows another', () => {
    for (const s of SHORTCUTS) {
      const k = s.keys[0];
      const shift = !!s.shift || k === '?' || k === '+';
      expect(commandFor(key(k, { ctrl: s.mod, shift }))).toBe(s.command);
    }
  });
});
