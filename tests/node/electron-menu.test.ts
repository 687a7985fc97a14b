import { describe, expect, it } from 'vitest';
import { MENU_COMMANDS } from '../../common/contract';
import { menuCommands, menuSpec, type MenuEntry } from '../../electron/menu-spec';
import { SHORTCUTS } from '../../renderer/src/lib/shortcuts';

function accelerators(entries: MenuEntry[]): string[] {
  return entries.flatMap((e) => (e.kind === 'command' && e.accelerator ? [e.accelerator] : e.kind === 'submenu' ? accelerators(e.items) : []));
}

function roles(entries: MenuEntry[]): string[] {
  return entries.flatMap((e) => (e.kind === 'role' ? [e.role] : e.kind === 'submenu' ? roles(e.items) : []));
}

describe('application menu', () => {
  for (const platform of ['darwin', 'win32', 'linux'] as const) {
    it(`offers every menu command once, with distinct shortcuts (${platform})`, () => {
      const spec = menuSpec(platform, { appName: 'Hazeless', isDev: false });
      const cmds = menuCommands(spec);
      expect([...cmds].sort()).toEqual([...MENU_COMMANDS].sort());
      const acc = accelerators(spec);
      expect(new Set(acc).size).toBe(acc.length);
      for (const must of ['CmdOrCtrl+O', 'CmdOrCtrl+Shift+O', 'CmdOrCtrl+E', 'CmdOrCtrl+Z']) expect(acc).toContain(must);
      expect(roles(spec)).toEqual(expect.arrayContaining(['copy', 'paste', 'togglefullscreen']));
      expect(roles(spec)).not.toContain('toggleDevTools');
    });
  }

  it('has the app menu only on macOS and developer tools only in development', () => {
    expect(menuSpec('darwin', { appName: 'Hazeless', isDev: false })[0]).toMatchObject({ kind: 'submenu', role: 'appMenu' });
    expect(menuSpec('linux', { appName: 'Hazeless', isDev: false }).some((e) => e.kind === 'submenu' && e.role === 'appMenu')).toBe(false);
    expect(roles(menuSpec('linux', { appName: 'Hazeless', isDev: true }))).toContain('toggleDevTools');
  });

  it('sends only commands the renderer knows as shortcut commands', () => {
    const rendererCommands = new Set(SHORTCUTS.map((s) => s.command));
    for (const c of MENU_COMMANDS) expect(rendererCommands.has(c), c).toBe(true);
  });
});
