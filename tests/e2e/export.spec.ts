import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { corruptJpeg, exportWholeAlbum, fileStats, openPhotos, realPhoto, viewer, waitForPreview } from './helpers';

test.describe('export in browser mode', () => {
  test.beforeEach(async ({ page }) => {
    await page.goto('/');
    await expect(page.getByText(/WASM|WebGPU/).first()).toBeVisible({ timeout: 60_000 });
  });

  test('exports the current photo as a dehazed JPEG download', async ({ page }, info) => {
    const source = realPhoto('canon.jpg');
    await openPhotos(page, [source]);
    await waitForPreview(page, 100);

    await page.getByRole('banner').getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await expect(dialog).toBeVisible();
    // Browser mode says which formats it can write and offers no others.
    await expect(dialog).toContainText('This browser can encode JPEG, PNG and WebP');
    await expect(dialog.getByRole('option', { name: /AVIF/ })).toBeDisabled();
    await expect(dialog.getByRole('option', { name: /TIFF/ })).toBeDisabled();
    await dialog.getByLabel('Format').selectOption('jpeg');
    await dialog.getByRole('spinbutton', { name: 'Quality value' }).fill('90');
    await dialog.getByRole('spinbutton', { name: 'Quality value' }).blur();

    const downloading = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export 1 photo' }).click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('canon-dehazed.jpg');
    const saved = info.outputPath(download.suggestedFilename());
    await download.saveAs(saved);

    const bytes = readFileSync(saved);
    expect(bytes.length).toBeGreaterThan(10_000);
    expect([...bytes.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
    const out = await fileStats(saved);
    const input = await fileStats(source);
    expect(out.format).toBe('jpeg');
    expect([out.width, out.height]).toEqual([input.width, input.height]);
    expect(out.darkChannel).toBeLessThan(input.darkChannel - 5);
    expect(out.contrast).toBeGreaterThan(input.contrast);

    const panel = page.getByRole('region', { name: 'Export progress' });
    await expect(panel).toHaveAttribute('data-state', 'done');
    await expect(panel).toContainText('1 exported');
    await expect(page.getByRole('button', { name: 'canon.jpg (exported)' })).toBeVisible();
  });

  test('a photo with transparency exported as JPEG is laid on white, as the desktop export lays it', async ({ page }, info) => {
    // beach.jpg with its left half clear (its hidden colour red) and the rest opaque.
    const photo = await sharp(realPhoto('beach.jpg')).ensureAlpha(1).raw().toBuffer({ resolveWithObject: true });
    const { width, height } = photo.info;
    const left = Math.floor(width / 2);
    for (let y = 0; y < height; y++) for (let x = 0; x < left; x++) photo.data.set([255, 0, 0, 0], (y * width + x) * 4);
    const source = info.outputPath('cutout.png');
    await sharp(photo.data, { raw: { width, height, channels: 4 } }).png().toFile(source);
    await openPhotos(page, [source]);
    await waitForPreview(page, 100);
    await page.getByRole('banner').getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByLabel('Format').selectOption('jpeg');
    const downloading = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export 1 photo' }).click();
    const saved = info.outputPath('cutout-dehazed.jpg');
    await (await downloading).saveAs(saved);
    const { data, info: out } = await sharp(saved).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number): number[] => Array.from(data.subarray((y * out.width + x) * 3, (y * out.width + x) * 3 + 3));
    for (const v of at(Math.floor(left / 2), Math.floor(out.height / 2))) expect(v).toBeGreaterThanOrEqual(250);
    // The opaque half is the photo, dehazed, not white.
    expect(Math.min(...at(Math.floor((3 * out.width) / 4), Math.floor(out.height / 2)))).toBeLessThan(240);
  });

  test('photos turned by their EXIF orientation are shown and exported upright, pixel for pixel', async ({ page }, info) => {
    // swan.jpg stored turned (as phones store portraits), its EXIF tag saying how to show it.
    const sources = [];
    for (const orientation of [6, 3, 8]) {
      const file = info.outputPath(`turned-${orientation}.jpg`);
      // Stored so that applying the tag gives swan.jpg upright.
      const stored = orientation === 6 ? 270 : orientation === 8 ? 90 : 180;
      await sharp(realPhoto('swan.jpg')).rotate(stored).withMetadata({ orientation }).jpeg({ quality: 95 }).toFile(file);
      sources.push(file);
    }
    await openPhotos(page, sources);
    await waitForPreview(page, 100);
    const strip = page.getByRole('navigation', { name: 'Filmstrip' });
    for (const file of sources) {
      await strip.getByRole('button', { name: file.split('/').pop() }).click();
      await page.getByRole('slider', { name: 'Strength' }).fill('0');
      await waitForPreview(page, 0);
    }
    const downloads = await exportWholeAlbum(page, 'png', sources.length);
    await expect(page.getByRole('region', { name: 'Export progress' })).toHaveAttribute('data-state', 'done');
    await expect.poll(() => downloads.length).toBe(sources.length);
    const found: Record<string, { size: number[]; meanDiff: number }> = {};
    for (const d of downloads) {
      const source = sources.find((f) => f.endsWith(d.suggestedFilename().replace('-dehazed.png', '.jpg')))!;
      const out = await sharp((await d.path()) ?? '').removeAlpha().raw().toBuffer({ resolveWithObject: true });
      const upright = await sharp(source).rotate().raw().toBuffer({ resolveWithObject: true });
      let diff = 0;
      for (let i = 0; i < Math.min(out.data.length, upright.data.length); i++) diff += Math.abs(out.data[i] - upright.data[i]);
      found[d.suggestedFilename()] = { size: [out.info.width - upright.info.width, out.info.height - upright.info.height], meanDiff: Math.round(diff / out.data.length) };
    }
    // The browser's JPEG decoder and libvips' differ by a level or two, not by a turned photo.
    for (const [name, f] of Object.entries(found)) expect({ name, ...f }).toEqual({ name, size: [0, 0], meanDiff: expect.any(Number) });
    for (const [name, f] of Object.entries(found)) expect({ name, under2: f.meanDiff < 2, f }).toMatchObject({ name, under2: true });
  });

  test('export dialog: the quality box always shows the quality that will be used, and Tab stays in the dialog', async ({ page }) => {
    await openPhotos(page, [realPhoto('canon.jpg'), realPhoto('swan.jpg')]);
    await waitForPreview(page, 100);
    await page.getByRole('banner').getByRole('button', { name: 'Export' }).click();
    const dialog = page.getByRole('dialog', { name: 'Export' });
    await dialog.getByLabel('Format').selectOption('jpeg');
    const box = dialog.getByRole('spinbutton', { name: 'Quality value' });
    const range = dialog.getByRole('slider', { name: 'Quality' });
    for (const [typed, used] of [['150', '100'], ['150', '100'], ['0', '1'], ['73.6', '74'], ['', '74']]) {
      await box.fill(typed);
      await box.blur();
      await expect(box).toHaveValue(used);
      await expect(range).toHaveValue(used);
    }
    // Modal: however far Tab (or Shift+Tab) goes, focus stays on the dialog's own controls.
    for (const key of ['Tab', 'Shift+Tab']) {
      for (let i = 0; i < 25; i++) {
        await page.keyboard.press(key);
        expect(await dialog.evaluate((d) => d.contains(document.activeElement))).toBe(true);
      }
    }
  });

  test('batch export: each photo with its own settings, a corrupt file listed as failed', async ({ page }, info) => {
    const broken = corruptJpeg(info.outputPath('fixtures'));
    const files = [realPhoto('dubai.jpg'), broken, realPhoto('beach.jpg')];
    await openPhotos(page, files);
    await waitForPreview(page, 100);
    // A weaker setting on the first photo must reach its export.
    await page.getByRole('slider', { name: 'Strength' }).fill('0');
    await waitForPreview(page, 0);

    // The corrupt one shows as an error in the filmstrip, with no crash.
    await expect(page.getByRole('button', { name: 'broken.jpg (cannot be read)' })).toBeVisible();

    const downloads = await exportWholeAlbum(page, 'png', 3);

    const panel = page.getByRole('region', { name: 'Export progress' });
    await expect(panel.getByRole('progressbar', { name: 'Overall progress' })).toBeVisible();
    await expect(panel).toHaveAttribute('data-state', 'done', { timeout: 120_000 });
    await expect(panel).toContainText('2 exported, 1 failed');
    const failures = panel.getByRole('list', { name: 'Failed photos' });
    await expect(failures).toContainText('broken.jpg');
    await expect(failures).toContainText(/damaged or not an image/);

    await expect.poll(() => downloads.length).toBe(2);
    const names = downloads.map((d) => d.suggestedFilename()).sort();
    expect(names).toEqual(['beach-dehazed.png', 'dubai-dehazed.png']);
    for (const d of downloads) {
      const path = info.outputPath(d.suggestedFilename());
      await d.saveAs(path);
      const out = await fileStats(path);
      const input = await fileStats(realPhoto(d.suggestedFilename().replace('-dehazed.png', '.jpg')));
      expect(out.format).toBe('png');
      expect([out.width, out.height]).toEqual([input.width, input.height]);
      if (d.suggestedFilename().startsWith('dubai')) {
        // Strength 0 is the identity: the PNG holds the decoded original.
        expect(Math.abs(out.darkChannel - input.darkChannel)).toBeLessThan(0.5);
      } else {
        expect(out.darkChannel).toBeLessThan(input.darkChannel - 5);
      }
    }
    await expect(viewer(page)).toHaveAttribute('data-photo', 'dubai.jpg');
  });

  test('at strength 0 the export is the original, pixel for pixel (opaque and with alpha)', async ({ page }, info) => {
    // PNGs decode exactly in any decoder, so the export must give back the very bytes: this holds
    // the browser's decoding, the full-resolution pixel copy and the PNG encoder to the original.
    const opaque = info.outputPath('opaque.png');
    const withAlpha = info.outputPath('alpha.png');
    await sharp(realPhoto('lviv.jpg')).resize(1400).png().toFile(opaque);
    const { data: rgb, info: size } = await sharp(realPhoto('swan.jpg')).resize(900).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const rgba = Buffer.alloc(size.width * size.height * 4);
    for (let i = 0; i < size.width * size.height; i++) {
      rgba.set(rgb.subarray(i * 3, i * 3 + 3), i * 4);
      rgba[i * 4 + 3] = i % size.width < size.width / 2 ? 255 : 0; // the right half fully transparent
    }
    await sharp(rgba, { raw: { width: size.width, height: size.height, channels: 4 } }).png().toFile(withAlpha);

    await openPhotos(page, [opaque, withAlpha]);
    await waitForPreview(page, 100);
    await page.getByRole('slider', { name: 'Strength' }).fill('0');
    await waitForPreview(page, 0);
    await page.getByRole('button', { name: 'Apply to all' }).click();
    const downloads = await exportWholeAlbum(page, 'png', 2);
    await expect(page.getByRole('region', { name: 'Export progress' })).toHaveAttribute('data-state', 'done');
    await expect.poll(() => downloads.length).toBe(2);
    for (const [source, name] of [[opaque, 'opaque-dehazed.png'], [withAlpha, 'alpha-dehazed.png']] as const) {
      const download = downloads.find((d) => d.suggestedFilename() === name);
      const out = await sharp((await download?.path()) ?? '').ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      const original = await sharp(source).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
      expect([out.info.width, out.info.height]).toEqual([original.info.width, original.info.height]);
      let differing = 0;
      for (let i = 0; i < out.data.length; i += 4) {
        // Where a pixel is fully transparent its colour is not kept (the browser premultiplies).
        const channels = original.data[i + 3] === 0 ? [3] : [0, 1, 2, 3];
        if (channels.some((c) => out.data[i + c] !== original.data[i + c])) differing++;
      }
      expect(differing, name).toBe(0);
    }
  });

  test('resize long edge, and "skip" for a name already exported', async ({ page }, info) => {
    await openPhotos(page, [realPhoto('herzeliya.jpg')]);
    await waitForPreview(page, 100);
    const open = async () => {
      await page.getByRole('banner').getByRole('button', { name: 'Export' }).click();
      return page.getByRole('dialog', { name: 'Export' });
    };
    let dialog = await open();
    await dialog.getByLabel('Format').selectOption('webp');
    await dialog.getByRole('checkbox', { name: 'Long edge' }).check();
    await dialog.getByRole('spinbutton', { name: 'Long edge in pixels' }).fill('800');
    await dialog.getByRole('spinbutton', { name: 'Long edge in pixels' }).blur();
    const downloading = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export 1 photo' }).click();
    const d = await downloading;
    const path = join(info.outputPath(), d.suggestedFilename());
    await d.saveAs(path);
    const out = await fileStats(path);
    expect(out.format).toBe('webp');
    expect(Math.max(out.width, out.height)).toBe(800);
    expect(out.width).toBe(800);
    expect(out.height).toBe(Math.round((928 * 800) / 1600));

    const panel = page.getByRole('region', { name: 'Export progress' });
    await expect(panel).toHaveAttribute('data-state', 'done');
    await panel.getByRole('button', { name: 'Close' }).click();
    dialog = await open();
    await dialog.getByLabel('If a file exists').selectOption('skip');
    await dialog.getByRole('button', { name: 'Export 1 photo' }).click();
    await expect(panel).toHaveAttribute('data-state', 'done');
    await expect(panel.getByRole('list', { name: 'Skipped photos' })).toContainText('herzeliya-dehazed.webp already exists');
  });
});
