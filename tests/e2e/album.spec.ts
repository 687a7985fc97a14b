import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test, type Download } from '@playwright/test';
import { realManifest } from '../unit/engine-fixtures';
import { corruptJpeg, fileStats, openPhotos, pressGlobal, realPhoto, viewer, waitForPreview } from './helpers';

test.describe('albums: folders, drag-and-drop, shared settings, cancelling an export', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/');
    await expect(page.getByText(/WASM|WebGPU/).first()).toBeVisible({ timeout: 60_000 });
  });

  test('"Open folder" takes the photos of a folder and its subfolders, nothing else', async ({ page }, info) => {
    const folder = info.outputPath('Trip');
    mkdirSync(join(folder, 'day2'), { recursive: true });
    copyFileSync(realPhoto('swan.jpg'), join(folder, 'swan.jpg'));
    copyFileSync(realPhoto('train.jpg'), join(folder, 'day2', 'train.jpg'));
    writeFileSync(join(folder, 'notes.txt'), 'not a photo');

    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('banner').getByRole('button', { name: 'Open folder' }).click();
    await (await chooser).setFiles(folder);
    const strip = page.getByRole('navigation', { name: 'Filmstrip' });
    await expect(strip.getByRole('button')).toHaveCount(2);
    await expect(strip).toContainText('Trip');
    await expect(strip.getByRole('button', { name: 'swan.jpg' })).toBeVisible();
    await expect(strip.getByRole('button', { name: 'train.jpg' })).toBeVisible();
    await waitForPreview(page, 100);
  });

  test('a large album keeps the layout inside the window: the filmstrip scrolls', async ({ page }, info) => {
    const folder = info.outputPath('Big album');
    mkdirSync(folder, { recursive: true });
    for (let i = 0; i < 30; i++) copyFileSync(realPhoto(i % 2 ? 'swan.jpg' : 'train.jpg'), join(folder, `photo-${String(i).padStart(2, '0')}.jpg`));
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('banner').getByRole('button', { name: 'Open folder' }).click();
    await (await chooser).setFiles(folder);
    const strip = page.getByRole('navigation', { name: 'Filmstrip' });
    await expect(strip.getByRole('button')).toHaveCount(30);
    await waitForPreview(page, 100);
    const width = page.viewportSize()?.width ?? 0;
    // Thirty thumbnails are far wider than the window; nothing else may be.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
    for (const control of [page.getByRole('banner').getByRole('button', { name: 'Export' }), page.getByRole('slider', { name: 'Strength' }), viewer(page)]) {
      const box = await control.boundingBox();
      expect(box && box.x >= 0 && box.x + box.width <= width).toBe(true);
    }
    // The last photo is reached by scrolling the filmstrip, not the window.
    const last = strip.getByRole('button', { name: 'photo-29.jpg' });
    await last.scrollIntoViewIfNeeded();
    await expect(last).toBeInViewport();
    expect(await page.evaluate(() => window.scrollX)).toBe(0);
  });

  test('photos dropped on the window open', async ({ page }) => {
    const files = ['pumpkins.jpg', 'camels.jpg'].map((name) => ({ name, bytes: [...readFileSync(realPhoto(name))] }));
    await page.evaluate((list) => {
      const data = new DataTransfer();
      for (const f of list) data.items.add(new File([new Uint8Array(f.bytes)], f.name, { type: 'image/jpeg' }));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: data, bubbles: true, cancelable: true }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: data, bubbles: true, cancelable: true }));
    }, files);
    await expect(page.getByRole('navigation', { name: 'Filmstrip' }).getByRole('button')).toHaveCount(2);
    await expect(viewer(page)).toHaveAttribute('data-photo', 'pumpkins.jpg');
    await waitForPreview(page, 100);
  });

  test('copy settings from one photo and paste them onto another', async ({ page }) => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('banner').getByRole('button', { name: 'Open photos' }).click();
    await (await chooser).setFiles([realPhoto('swan.jpg'), realPhoto('train.jpg')]);
    await waitForPreview(page, 100);
    await page.getByRole('spinbutton', { name: 'Exposure value' }).fill('25');
    await page.getByRole('spinbutton', { name: 'Exposure value' }).press('Enter');
    await page.getByRole('slider', { name: 'Strength' }).fill('60');
    await waitForPreview(page, 60);
    await page.getByRole('button', { name: 'Copy settings' }).click();
    await pressGlobal(page, 'ArrowRight');
    await expect(viewer(page)).toHaveAttribute('data-photo', 'train.jpg');
    await expect(page.getByRole('slider', { name: 'Strength' })).toHaveValue('100');
    await page.getByRole('button', { name: 'Paste settings' }).click();
    await expect(page.getByRole('slider', { name: 'Strength' })).toHaveValue('60');
    await expect(page.getByRole('slider', { name: 'Exposure' })).toHaveValue('25');
    // Protect was not touched: the pasted settings keep the model's default.
    const { protect } = realManifest().defaults;
    await expect(viewer(page)).toHaveAttribute('data-adjustments', JSON.stringify({ strength: 60, distance: 0, protect, exposure: 25 }));
  });

  test('an unreadable photo takes no settings, by button or key; the exported mark follows the settings', async ({ page }, info) => {
    const broken = corruptJpeg(info.outputPath('album'));
    await openPhotos(page, [realPhoto('swan.jpg'), broken, realPhoto('train.jpg')]);
    await waitForPreview(page, 100);
    const strip = page.getByRole('navigation', { name: 'Filmstrip' });
    await page.getByRole('slider', { name: 'Strength' }).fill('60');
    await waitForPreview(page, 60);
    await page.getByRole('button', { name: 'Copy settings' }).click();
    await page.getByRole('button', { name: 'Apply to all' }).click();
    await expect(page.getByRole('status').filter({ hasText: 'Settings applied' })).toHaveText('Settings applied to 2 photos (1 that cannot be read left out)');
    await expect(strip.getByRole('button', { name: 'broken.jpg (cannot be read)' })).toBeVisible();
    await expect(strip.getByRole('button', { name: 'train.jpg (edited)' })).toBeVisible();
    // On the unreadable photo, the shortcuts do what its disabled buttons do: nothing.
    await strip.getByRole('button', { name: /^broken\.jpg/ }).click();
    await expect(page.getByRole('button', { name: 'Paste settings' })).toBeDisabled();
    await pressGlobal(page, 'Control+Shift+V');
    await pressGlobal(page, 'Shift+R');
    await expect(strip.getByRole('button', { name: 'broken.jpg (cannot be read)' })).toBeVisible();

    // Exported, then changed: no longer marked; changed back (undo): marked again.
    await strip.getByRole('button', { name: /^swan\.jpg/ }).click();
    await waitForPreview(page, 60);
    await page.getByRole('banner').getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByRole('radio', { name: /Current photo/ }).check();
    await dialog.getByRole('button', { name: 'Export 1 photo' }).click();
    await expect(page.getByRole('region', { name: 'Export progress' })).toHaveAttribute('data-state', 'done');
    await expect(strip.getByRole('button', { name: 'swan.jpg (edited, exported)' })).toBeVisible();
    await page.getByRole('slider', { name: 'Strength' }).fill('70');
    await waitForPreview(page, 70);
    await expect(strip.getByRole('button', { name: 'swan.jpg (edited)' })).toBeVisible();
    await pressGlobal(page, 'Control+Z');
    await expect(strip.getByRole('button', { name: 'swan.jpg (edited, exported)' })).toBeVisible();
  });

  test('export only the selected photos (Ctrl+click), each with its own strength', async ({ page }) => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('banner').getByRole('button', { name: 'Open photos' }).click();
    await (await chooser).setFiles([realPhoto('swan.jpg'), realPhoto('train.jpg'), realPhoto('camels.jpg')]);
    await waitForPreview(page, 100);
    await page.getByRole('slider', { name: 'Strength' }).fill('0');
    await waitForPreview(page, 0);
    const strip = page.getByRole('navigation', { name: 'Filmstrip' });
    await strip.getByRole('button', { name: 'camels.jpg' }).click({ modifiers: ['Control'] });
    await expect(strip.getByRole('button', { name: 'camels.jpg' })).toHaveAttribute('aria-pressed', 'true');
    await expect(strip.getByRole('button', { name: 'train.jpg' })).toHaveAttribute('aria-pressed', 'false');

    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.getByRole('banner').getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await expect(dialog.getByRole('radio', { name: /Selected photos/ })).toBeChecked();
    await dialog.getByLabel('Format').selectOption('png');
    await dialog.getByRole('button', { name: 'Export 2 photos' }).click();
    await expect(page.getByRole('region', { name: 'Export progress' })).toHaveAttribute('data-state', 'done');
    await expect.poll(() => downloads.length).toBe(2);
    expect(downloads.map((d) => d.suggestedFilename()).sort()).toEqual(['camels-dehazed.png', 'swan-dehazed.png']);
    // swan.jpg was exported at strength 0: identical to the decoded original.
    const swan = downloads.find((d) => d.suggestedFilename() === 'swan-dehazed.png');
    const path = await swan?.path();
    const out = await fileStats(path ?? '');
    const input = await fileStats(realPhoto('swan.jpg'));
    expect(Math.abs(out.darkChannel - input.darkChannel)).toBeLessThan(0.5);
  });

  test('a batch export can be cancelled', async ({ page }) => {
    const chooser = page.waitForEvent('filechooser');
    await page.getByRole('banner').getByRole('button', { name: 'Open photos' }).click();
    await (await chooser).setFiles([realPhoto('urbino.jpg'), realPhoto('lviv.jpg'), realPhoto('herzeliya.jpg'), realPhoto('neighbour.jpg')]);
    await waitForPreview(page, 100);
    const downloads: Download[] = [];
    page.on('download', (d) => downloads.push(d));
    await page.keyboard.press('Control+e');
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByRole('radio', { name: /Whole album/ }).check();
    await dialog.getByLabel('Format').selectOption('png');
    await dialog.getByRole('button', { name: 'Export 4 photos' }).click();
    const panel = page.getByRole('region', { name: 'Export progress' });
    await panel.getByRole('button', { name: 'Cancel' }).click();
    await expect(panel).toHaveAttribute('data-state', 'cancelled');
    await expect(panel.getByRole('heading')).toHaveText('Export cancelled');
    expect(downloads.length).toBeLessThan(4);
    await panel.getByRole('button', { name: 'Close' }).click();
    await expect(panel).toHaveCount(0);
  });
});
