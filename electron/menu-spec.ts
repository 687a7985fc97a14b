// The application menu as plain data (main turns it into an Electron Menu). Commands go to the
// renderer, which owns the keyboard: accelerators are shown in the menu but not registered, so
// a key press reaches the page once (and text fields keep their own Ctrl+Z) instead of firing
// twice. Standard roles (copy/paste, full screen, quit) stay native.

import type { MenuCommand } from '../common/contract';

export type MenuRole =
  | 'about'
  | 'hide'
  | 'hideOthers'
  | 'unhide'
  | 'quit'
  | 'close'
  | 'cut'
  | 'copy'
  | 'paste'
  | 'selectAll'
  | 'togglefullscreen'
  | 'minimize'
  | 'zoom'
  | 'front'
  | 'toggleDevTools'
  | 'reload'
  | 'services';

export type MenuEntry =
  | { kind: 'command'; label: string; command: MenuCommand; accelerator?: string }
  | { kind: 'role'; role: MenuRole; label?: string }
  | { kind: 'separator' }
  | { kind: 'submenu'; label: string; items: MenuEntry[]; role?: 'appMenu' | 'windowMenu' | 'help' };

const cmd = (label: string, command: MenuCommand, accelerator?: string): MenuEntry => ({ kind: 'command', label, command, accelerator });
const role = (r: MenuRole, label?: string): MenuEntry => ({ kind: 'role', role: r, label });
const sep: MenuEntry = { kind: 'separator' };

export function menuSpec(platform: NodeJS.Platform, options: { appName: string; isDev: boolean }): MenuEntry[] {
  const mac = platform === 'darwin';
  const menu: MenuEntry[] = [];
  if (mac) {
    menu.push({
      kind: 'submenu',
      label: options.appName,
      role: 'appMenu',
      items: [role('about'), sep, role('services'), sep, role('hide'), role('hideOthers'), role('unhide'), sep, role('quit')],
    });
  }
  menu.push({
    kind: 'submenu',
    label: '&File',
    items: [
      cmd('Open Photos…', 'open-photos', 'CmdOrCtrl+O'),
      cmd('Open Folder…', 'open-folder', 'CmdOrCtrl+Shift+O'),
      sep,
      cmd('Export…', 'export', 'CmdOrCtrl+E'),
      sep,
      mac ? role('close') : role('quit', 'E&xit'),
    ],
  });
  menu.push({
    kind: 'submenu',
    label: '&Edit',
    items: [
      cmd('Undo', 'undo', 'CmdOrCtrl+Z'),
      cmd('Redo', 'redo', mac ? 'Cmd+Shift+Z' : 'Ctrl+Y'),
      sep,
      role('cut'),
      role('copy'),
      role('paste'),
      role('selectAll'),
      sep,
      cmd('Copy Settings', 'copy-settings', 'CmdOrCtrl+Shift+C'),
      cmd('Paste Settings', 'paste-settings', 'CmdOrCtrl+Shift+V'),
      cmd('Reset All Sliders', 'reset-all', 'Shift+R'),
    ],
  });
  const viewItems: MenuEntry[] = [
    cmd('Previous Photo', 'previous-photo', 'Left'),
    cmd('Next Photo', 'next-photo', 'Right'),
    sep,
    cmd('Zoom In', 'zoom-in', 'Plus'),
    cmd('Zoom Out', 'zoom-out', '-'),
    cmd('Fit to Window', 'zoom-fit', '0'),
    cmd('Actual Size', 'zoom-actual', '1'),
    sep,
    cmd('Before/After Split', 'toggle-split', 'S'),
    cmd('Haze Map', 'toggle-haze-map', 'H'),
    sep,
    role('togglefullscreen'),
  ];
  if (options.isDev) viewItems.push(sep, role('reload'), role('toggleDevTools'));
  menu.push({ kind: 'submenu', label: '&View', items: viewItems });
  menu.push({
    kind: 'submenu',
    label: '&Window',
    role: 'windowMenu',
    items: mac ? [role('minimize'), role('zoom'), sep, role('front')] : [role('minimize'), role('close')],
  });
  menu.push({ kind: 'submenu', label: '&Help', role: 'help', items: [cmd('Keyboard Shortcuts', 'help', '?'), ...(mac ? [] : [sep, role('about')])] });
  return menu;
}

/** Every command reachable from the menu (for tests and for the renderer's help). */
export function menuCommands(entries: MenuEntry[]): MenuCommand[] {
  return entries.flatMap((e) => (e.kind === 'command' ? [e.command] : e.kind === 'submenu' ? menuCommands(e.items) : []));
}
