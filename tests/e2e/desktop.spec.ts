// The desktop app end to end, without Electron: the renderer with its Electron host, backed by
// main's real IPC handlers and export worker in this process (desktop-bridge.ts). Dialogs are
// answered by the test; menu items send their commands as main's menu does.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import type { ExportDone, MenuCommand } from '../../common/contract';
import { menuCommands, menuSpec } from '../../electron/menu-spec';
import { DesktopBridge } from './desktop-bridge';
import { fileStats, realPhoto, viewer, waitForPreview } from './helpers';

const PHOTOS = ['canon.jpg', 'cones.jpg', 'swan.jpg'];
const sha256 = (file: string): string => createHash('sha256').update(readFileSync(file)).digest('hex');
const hashes = (folder: string): Record<string, string> =>
  Object.fromEntries(readdirSync(folder).sort().map((name) => [name, sha256(join(folder, name))]));

let bridge: DesktopBridge;
let album: string;
let originals: Record<string, string>;
let problems: string[];

test.beforeEach(async ({ page }, info) => {
  album = info.outputPath('Album');
  mkdirSync(album, { recursive: true });
  for (const name of PHOTOS) copyFileSync(realPhoto(name), join(album, name));
  originals = hashes(album);
  const userData = info.outputPath('user-data');
  mkdirSync(userData, { recursive: true });

  bridge = await DesktopBridge.attach(page, userData);
  problems = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.goto('/');
  await expect(page.getByText(/WASM|WebGPU/).first()).toBeVisible({ timeout: 60_000 });
});

test.afterEach(async () => {
  await bridge.close();
  // Whatever happened, the album holds its photos, byte for byte, and nothing else.
  expect(hashes(album)).toEqual(originals);
  expect(problems).toEqual([]);
  expect(bridge.refusals).toEqual([]);
});

const strip = (page: Page) => page.getByRole('navigation', { name: 'Filmstrip' });
const strength = (page: Page) => page.getByRole('slider', { name: 'Strength' });
const zoomLevel = (page: Page) => page.locator('output[aria-label="Zoom level"]');
const zoomPercent = async (page: Page): Promise<number> => parseInt((await zoomLevel(page).textContent()) ?? '', 10);

test('every menu command does what its keyboard shortcut does', async ({ page }) => {
  const used = new Set<MenuCommand>();
  const menu = async (command: MenuCommand): Promise<void> => {
    used.add(command);
    await bridge.menu(command);
  };

  // File > Open Photos…: the dialog's one photo becomes the album.
  bridge.answers.push([join(album, 'swan.jpg')]);
  await menu('open-photos');
  await expect(strip(page).getByRole('button')).toHaveCount(1);
  await expect(viewer(page)).toHaveAttribute('data-photo', 'swan.jpg');
  expect(bridge.dialogs.at(-1)?.kind).toBe('photos');

  // File > Open Folder…: the whole folder, in name order.
  bridge.answers.push(album);
  await menu('open-folder');
  await expect(strip(page).getByRole('button')).toHaveCount(3);
  await expect(strip(page)).toContainText('Album');
  expect(bridge.dialogs.at(-1)).toMatchObject({ kind: 'folder', title: 'Open album folder' });
  await expect(viewer(page)).toHaveAttribute('data-photo', 'canon.jpg');
  await waitForPreview(page, 100);

  // An edit, then Edit > Undo and Redo.
  await strength(page).fill('40');
  await waitForPreview(page, 40);
  await menu('undo');
  await expect(strength(page)).toHaveValue('100');
  await menu('redo');
  await expect(strength(page)).toHaveValue('40');

  // Copy Settings here, View > Next Photo, Paste Settings there, View > Previous Photo.
  await menu('copy-settings');
  await expect(page.getByRole('contentinfo', { name: 'Status' })).toContainText('Settings copied');
  await menu('next-photo');
  await expect(viewer(page)).toHaveAttribute('data-photo', 'cones.jpg');
  await expect(strength(page)).toHaveValue('100');
  await menu('paste-settings');
  await expect(strength(page)).toHaveValue('40');
  await waitForPreview(page, 40);
  await menu('previous-photo');
  await expect(viewer(page)).toHaveAttribute('data-photo', 'canon.jpg');
  await expect(strength(page)).toHaveValue('40');

  // Edit > Reset All Sliders: back to the model's defaults.
  await menu('reset-all');
  await expect(strength(page)).toHaveValue('100');
  await waitForPreview(page, 100);

  // View > Actual Size, Zoom In, Zoom Out, Fit to Window.
  const fit = await zoomPercent(page);
  await menu('zoom-actual');
  await expect(zoomLevel(page)).toHaveText('100%');
  await menu('zoom-in');
  await expect.poll(() => zoomPercent(page)).toBeGreaterThan(100);
  const zoomedIn = await zoomPercent(page);
  await menu('zoom-out');
  await expect.poll(() => zoomPercent(page)).toBeLessThan(zoomedIn);
  await menu('zoom-fit');
  await expect(zoomLevel(page)).toHaveText(`${fit}%`);

  // View > Before/After Split and Haze Map, each on and off.
  await menu('toggle-split');
  await expect(viewer(page)).toHaveAttribute('data-showing', 'split');
  await menu('toggle-split');
  await expect(viewer(page)).toHaveAttribute('data-showing', 'result');
  await menu('toggle-haze-map');
  await expect(viewer(page)).toHaveAttribute('data-mode', 'haze');
  await menu('toggle-haze-map');
  await expect(viewer(page)).toHaveAttribute('data-mode', 'dehazed');

  // Help > Keyboard Shortcuts opens the overlay and closes it again.
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await menu('help');
  await expect(help).toBeVisible();
  await menu('help');
  await expect(help).toBeHidden();

  // File > Export… opens the dialog; Esc closes it.
  await menu('export');
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await expect(dialog).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();

  // Every command of the menu main builds was used above.
  const all = menuCommands(menuSpec(process.platform, { appName: 'Hazeless', isDev: false }));
  expect([...used].sort()).toEqual([...new Set(all)].sort());
});

test('exports the album to a chosen folder with each "if a file exists" choice', async ({ page }, info) => {
  const out = info.outputPath('Exports');
  mkdirSync(out, { recursive: true });
  // A file of the user's in the output folder, named as an export of swan.jpg would be.
  copyFileSync(realPhoto('swan.jpg'), join(out, 'swan-dehazed.jpg'));
  const usersFile = sha256(join(out, 'swan-dehazed.jpg'));

  bridge.answers.push(album);
  await page.getByRole('banner').getByRole('button', { name: 'Open folder' }).click();
  await expect(strip(page).getByRole('button')).toHaveCount(3);
  await waitForPreview(page, 100);
  await strength(page).fill('60');
  await waitForPreview(page, 60);

  const panel = page.getByRole('region', { name: 'Export progress' });
  /** Exports the whole album; returns what main reported and the names the panel lists as skipped. */
  async function exportAlbum(onExisting: string, chooseFolder: boolean): Promise<ExportDone & { skippedNames: string[] }> {
    const before = bridge.sent.length;
    await page.getByRole('banner').getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByRole('radio', { name: /Whole album/ }).check();
    if (chooseFolder) {
      bridge.answers.push(out);
      await dialog.getByRole('button', { name: 'Choose…' }).click();
      expect(bridge.dialogs.at(-1)).toMatchObject({ kind: 'folder', title: 'Choose export folder' });
    }
    await expect(dialog).toContainText(out);
    await dialog.getByLabel('If a file exists').selectOption(onExisting);
    await dialog.getByRole('button', { name: 'Export 3 photos' }).click();
    await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    const done = bridge.sent.slice(before).find((e) => e.name === 'exportDone');
    if (done?.name !== 'exportDone') throw new Error('main sent no exportDone');
    // The taskbar progress was shown while it ran and cleared at the end.
    expect(bridge.taskbar.some((p) => p !== null && p > 0)).toBe(true);
    expect(bridge.taskbar.at(-1)).toBeNull();
    bridge.taskbar.length = 0;
    const skippedNames = await panel.getByRole('list', { name: 'Skipped photos' }).locator('b').allTextContents();
    await panel.getByRole('button', { name: 'Open output folder' }).click();
    await expect.poll(() => bridge.revealed.at(-1)).toBe(out);
    await panel.getByRole('button', { name: 'Close' }).click();
    return { ...done.payload, skippedNames };
  }

  // Skip: the two free names are written, the user's file is left alone.
  expect(await exportAlbum('skip', true)).toMatchObject({ ok: 2, skipped: 1, failed: 0, outFolder: out, skippedNames: ['swan.jpg'] });
  expect(readdirSync(out).sort()).toEqual(['canon-dehazed.jpg', 'cones-dehazed.jpg', 'swan-dehazed.jpg']);
  expect(sha256(join(out, 'swan-dehazed.jpg'))).toBe(usersFile);
  for (const name of ['canon', 'cones']) {
    const exported = await fileStats(join(out, `${name}-dehazed.jpg`));
    const original = await fileStats(join(album, `${name}.jpg`));
    expect(exported).toMatchObject({ format: 'jpeg', width: original.width, height: original.height });
    expect(exported.darkChannel).toBeLessThan(original.darkChannel);
  }
  const firstCanon = await fileStats(join(out, 'canon-dehazed.jpg'));
  const firstCones = statSync(join(out, 'cones-dehazed.jpg')).ino;

  // Overwrite, with canon.jpg edited again: Hazeless's own exports are replaced with the new
  // result; the user's file, which Hazeless did not write, is not.
  await strength(page).fill('20');
  await waitForPreview(page, 20);
  expect(await exportAlbum('overwrite', false)).toMatchObject({ ok: 2, skipped: 1, failed: 0, skippedNames: ['swan.jpg'] });
  expect(readdirSync(out).sort()).toEqual(['canon-dehazed.jpg', 'cones-dehazed.jpg', 'swan-dehazed.jpg']);
  expect(sha256(join(out, 'swan-dehazed.jpg'))).toBe(usersFile);
  expect(statSync(join(out, 'cones-dehazed.jpg')).ino).not.toBe(firstCones);
  const weaker = await fileStats(join(out, 'canon-dehazed.jpg'));
  expect(weaker.darkChannel).toBeGreaterThan(firstCanon.darkChannel + 1);

  // Rename: every photo gets a new file next to the ones there.
  const beforeRename = hashes(out);
  expect(await exportAlbum('rename', false)).toMatchObject({ ok: 3, skipped: 0, failed: 0, skippedNames: [] });
  const names = readdirSync(out).sort();
  expect(names).toEqual([...Object.keys(beforeRename), 'canon-dehazed (2).jpg', 'cones-dehazed (2).jpg', 'swan-dehazed (2).jpg'].sort());
  for (const [name, hash] of Object.entries(beforeRename)) expect(sha256(join(out, name)), name).toBe(hash);
  // Same settings, same picture: canon.jpg is still at strength 20.
  expect((await fileStats(join(out, 'canon-dehazed (2).jpg'))).darkChannel).toBeCloseTo(weaker.darkChannel, 1);
  const swan = await fileStats(join(out, 'swan-dehazed (2).jpg'));
  expect(swan.darkChannel).toBeLessThan((await fileStats(join(album, 'swan.jpg'))).darkChannel);

  // The export settings were kept by main, folder included.
  expect(JSON.parse(readFileSync(join(info.outputPath('user-data'), 'settings.json'), 'utf8'))).toMatchObject({
    export: { outFolder: out, onExisting: 'rename' },
  });
});
