/** Keyboard shortcuts: one table drives both the key handler and the help overlay. */

import type { MenuCommand } from '../../../common/contract';

/**
 * Every command the keyboard or the desktop menu can give: the menu's commands (one list, in
 * common/contract.ts, shared with electron/menu-spec.ts) plus keys that have no menu item.
 */
export type Command = MenuCommand | 'close';

export interface Shortcut {
  command: Command;
  /** KeyboardEvent.key values (case-insensitive for letters). */
  keys: string[];
  /** Ctrl on Windows/Linux, Cmd on macOS. */
  mod?: boolean;
  shift?: boolean;
  label: string;
  /** How the help overlay writes the keys. */
  display: string;
}

export const SHORTCUTS: Shortcut[] = [
  { command: 'open-photos', keys: ['o'], mod: true, label: 'Open photos', display: 'Ctrl+O' },
  { command: 'open-folder', keys: ['o'], mod: true, shift: true, label: 'Open folder', display: 'Ctrl+Shift+O' },
  { command: 'export', keys: ['e'], mod: true, label: 'Export', display: 'Ctrl+E' },
  { command: 'undo', keys: ['z'], mod: true, label: 'Undo', display: 'Ctrl+Z' },
  { command: 'redo', keys: ['z'], mod: true, shift: true, label: 'Redo', display: 'Ctrl+Shift+Z' },
  { command: 'redo', keys: ['y'], mod: true, label: 'Redo', display: 'Ctrl+Y' },
  { command: 'copy-settings', keys: ['c'], mod: true, shift: true, label: 'Copy settings', display: 'Ctrl+Shift+C' },
  { command: 'paste-settings', keys: ['v'], mod: true, shift: true, label: 'Paste settings', display: 'Ctrl+Shift+V' },
  { command: 'previous-photo', keys: ['ArrowLeft'], label: 'Previous photo', display: '←' },
  { command: 'next-photo', keys: ['ArrowRight'], label: 'Next photo', display: '→' },
  { command: 'toggle-split', keys: ['s'], label: 'Before/after split', display: 'S' },
  { command: 'toggle-haze-map', keys: ['h'], label: 'Haze map', display: 'H' },
  { command: 'zoom-fit', keys: ['f', '0'], label: 'Fit to window', display: 'F or 0' },
  { command: 'zoom-actual', keys: ['1', 'z'], label: 'Zoom to 100%', display: '1 or Z' },
  { command: 'zoom-in', keys: ['+', '='], label: 'Zoom in', display: '+' },
  { command: 'zoom-out', keys: ['-', '_'], label: 'Zoom out', display: '−' },
  { command: 'reset-all', keys: ['r'], shift: true, label: 'Reset all sliders', display: 'Shift+R' },
  { command: 'help', keys: ['?'], label: 'Keyboard shortcuts', display: '?' },
  { command: 'close', keys: ['Escape'], label: 'Close dialog', display: 'Esc' },
];

/** Held keys are not commands: they show the original while down. */
export const HOLD_ORIGINAL_KEYS = ['\\', 'b', 'B'];
export const HOLD_ORIGINAL_DISPLAY = 'Hold \\ or B';

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

export function commandFor(e: KeyLike): Command | null {
  const mod = e.ctrlKey || e.metaKey;
  if (e.altKey) return null;
  for (const s of SHORTCUTS) {
    if (Boolean(s.mod) !== mod) continue;
    const match = s.keys.some((k) => (k.length === 1 ? k.toLowerCase() === e.key.toLowerCase() : k === e.key));
    if (!match) continue;
    // '?' and '+' need Shift on most layouts: only mod shortcuts and letters check Shift.
    const shiftMatters = s.mod || /^[a-z]$/i.test(s.keys[0]);
    if (shiftMatters && Boolean(s.shift) !== e.shiftKey) continue;
    return s.command;
  }
  return null;
}

/** Typing in a field must not trigger photo shortcuts. */
export function isTextTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  if (target instanceof HTMLInputElement) return !['range', 'checkbox', 'radio', 'button'].includes(target.type);
  return false;
}
