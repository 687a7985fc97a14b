import { expect, test } from '@playwright/test';
import sharp from 'sharp';
import { blockDiff, canvasStats, openPhotos, originalStats, pressGlobal, realPhoto, viewer, waitForNewFrame, waitForPreview } from './helpers';

test.describe('editing a real hazy photo in browser mode', () => {
  test.beforeEach(async ({ page }) => {
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto('/');
    await expect(page.getByText(/WASM|WebGPU/).first()).toBeVisible({ timeout: 60_000 });
    expect(problems).toEqual([]);
  });

  test('opens a photo and shows a dehazed preview that is less hazy than the original', async ({ page }) => {
    await openPhotos(page, [realPhoto('canon.jpg')]);
    await waitForPreview(page, 100);
    await expect(page.getByRole('slider', { name: 'Strength' })).toHaveValue('100');

    const dehazed = await canvasStats(page);
    const original = await originalStats(page);
    expect(blockDiff(dehazed, original)).toBeGreaterThan(3);
    expect(dehazed.darkChannel).toBeLessThan(original.darkChannel - 5);
    expect(dehazed.contrast).toBeGreaterThan(original.contrast);

    // The status bar names the backend, why it was chosen, and the network and render times.
    const status = page.getByRole('contentinfo', { name: 'Status' });
    await expect(status).toContainText(/WASM · 2 threads|WebGPU/);
    await expect(status.locator('[data-timing="network"]')).toHaveText(/\d+ ms/);
    await expect(status.locator('[data-timing="render"]')).toHaveText(/\d+ ms/);
  });

  test('legible: small text and the Export button reach 4.5:1 contrast; a focused slider shows it', async ({ page }) => {
    await openPhotos(page, [realPhoto('canon.jpg')]);
    await waitForPreview(page, 100);
    // The contrast of an element's text against the first opaque background behind it (WCAG).
    const contrast = (name: string, locator: import('@playwright/test').Locator): Promise<{ name: string; ratio: number }> =>
      locator.evaluate((el, n) => {
        const rgb = (c: string): number[] => (c.match(/[\d.]+/g) ?? []).map(Number);
        let bg: number[] = [];
        for (let e: Element | null = el; e && (bg.length < 3 || bg[3] === 0); e = e.parentElement) bg = rgb(getComputedStyle(e).backgroundColor);
        const lum = (c: number[]): number =>
          c.slice(0, 3).reduce((s, v, i) => {
            const x = v / 255;
            return s + [0.2126, 0.7152, 0.0722][i] * (x <= 0.04045 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4);
          }, 0);
        const [a, b] = [lum(rgb(getComputedStyle(el).color)), lum(bg)].sort((x, y) => y - x);
        return { name: n, ratio: Math.round(((a + 0.05) / (b + 0.05)) * 100) / 100 };
      }, name);
    for (const [name, locator] of [
      ['Export', page.getByRole('banner').getByRole('button', { name: 'Export' })],
      ['Reset all', page.getByRole('button', { name: 'Reset all' })],
      ['Adjust heading', page.getByText('Adjust', { exact: true })],
    ] as const) {
      const c = await contrast(name, locator);
      expect({ name, atLeast: c.ratio >= 4.5, c }).toMatchObject({ name, atLeast: true });
    }
    // Keyboard focus on a slider rings its handle in the accent colour: many more accent pixels.
    const strength = page.getByRole('slider', { name: 'Strength' });
    const accentPixels = async (): Promise<number> => {
      const { data, info } = await sharp(await strength.locator('..').screenshot()).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      let n = 0;
      for (let i = 0; i < info.width * info.height; i++) {
        if (Math.abs(data[i * 3] - 79) + Math.abs(data[i * 3 + 1] - 134) + Math.abs(data[i * 3 + 2] - 247) < 40) n++;
      }
      return n;
    };
    const unfocused = await accentPixels();
    await strength.focus();
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowLeft');
    expect(await accentPixels()).toBeGreaterThan(unfocused + 60);
  });

  test('the strength slider, split view and undo/redo', async ({ page }) => {
    await openPhotos(page, [realPhoto('canon.jpg')]);
    const seq = await waitForPreview(page, 100);
    const full = await canvasStats(page);
    const original = await originalStats(page);

    // Moving the slider re-renders the preview; less strength is closer to the original.
    const strength = page.getByRole('slider', { name: 'Strength' });
    await strength.fill('30');
    await waitForNewFrame(page, seq);
    await waitForPreview(page, 30);
    const weak = await canvasStats(page);
    expect(blockDiff(weak, full)).toBeGreaterThan(1);
    expect(blockDiff(weak, original)).toBeLessThan(blockDiff(full, original));
    expect(weak.darkChannel).toBeGreaterThan(full.darkChannel);
    await expect(page.getByRole('spinbutton', { name: 'Strength value' })).toHaveValue('30');

    // Split view: the left side shows the original, the right side the result.
    await page.getByRole('button', { name: 'Split' }).click();
    await expect(viewer(page)).toHaveAttribute('data-showing', 'split');
    const divider = page.getByRole('slider', { name: 'Before/after divider' });
    await expect(divider).toHaveAttribute('aria-valuenow', '50');
    const leftBox = { x0: 0.3, y0: 0.3, x1: 0.45, y1: 0.7 };
    const rightBox = { x0: 0.55, y0: 0.3, x1: 0.7, y1: 0.7 };
    const splitLeft = await canvasStats(page, leftBox);
    const splitRight = await canvasStats(page, rightBox);
    await page.getByRole('button', { name: 'Split' }).click();
    const resultLeft = await canvasStats(page, leftBox);
    const resultRight = await canvasStats(page, rightBox);
    const originalLeft = await originalStats(page, leftBox);
    expect(blockDiff(splitLeft, originalLeft)).toBeLessThan(0.5);
    expect(blockDiff(splitLeft, resultLeft)).toBeGreaterThan(1);
    expect(blockDiff(splitRight, resultRight)).toBeLessThan(0.5);

    // Undo brings back strength 100 and the same preview; redo returns to 30.
    await page.keyboard.press('Control+z');
    await expect(strength).toHaveValue('100');
    await waitForPreview(page, 100);
    expect(blockDiff(await canvasStats(page), full)).toBeLessThan(0.5);
    await page.keyboard.press('Control+Shift+z');
    await expect(strength).toHaveValue('30');
    await waitForPreview(page, 30);
    expect(blockDiff(await canvasStats(page), weak)).toBeLessThan(0.5);

    // Double-click resets to the model's default.
    await strength.dblclick();
    await expect(strength).toHaveValue('100');
    await waitForPreview(page, 100);
  });

  test('settings stay with each photo; arrow keys move between photos; haze map; apply to all', async ({ page }) => {
    await openPhotos(page, [realPhoto('canon.jpg'), realPhoto('dubai.jpg'), realPhoto('bench.jpg')]);
    await waitForPreview(page, 100);
    const strength = page.getByRole('slider', { name: 'Strength' });
    await strength.fill('55');
    await waitForPreview(page, 55);

    await pressGlobal(page, 'ArrowRight');
    await expect(viewer(page)).toHaveAttribute('data-photo', 'dubai.jpg');
    await waitForPreview(page, 100);
    await expect(strength).toHaveValue('100');
    await pressGlobal(page, 'ArrowLeft');
    await expect(viewer(page)).toHaveAttribute('data-photo', 'canon.jpg');
    await expect(strength).toHaveValue('55');
    const seq = await waitForPreview(page, 55);
    await expect(page.getByRole('button', { name: 'canon.jpg (edited)' })).toBeVisible();

    // Haze map: a grey picture of the transmission, darker where haze is removed.
    await page.getByRole('button', { name: 'Haze map' }).click();
    await expect(viewer(page)).toHaveAttribute('data-mode', 'haze');
    await waitForNewFrame(page, seq);
    const map = await canvasStats(page);
    const meanGrey = map.blocks.reduce((a, b) => a + b, 0) / map.blocks.length;
    expect(Math.abs(map.darkChannel - meanGrey)).toBeLessThan(1.5);
    expect(meanGrey).toBeLessThan(250);
    expect(map.contrast).toBeGreaterThan(2);
    await page.getByRole('button', { name: 'Haze map' }).click();
    await expect(viewer(page)).toHaveAttribute('data-mode', 'dehazed');

    // Apply to all, then one undo restores each photo's own value.
    await page.getByRole('button', { name: 'Apply to all' }).click();
    await pressGlobal(page, 'ArrowRight');
    await expect(strength).toHaveValue('55');
    await page.keyboard.press('Control+z');
    await expect(strength).toHaveValue('100');
    await pressGlobal(page, 'ArrowLeft');
    await expect(strength).toHaveValue('55');
  });

  test('zoom: 100% renders the visible region at full resolution; wheel zooms at the cursor; drag pans', async ({ page }) => {
    await openPhotos(page, [realPhoto('urbino.jpg')]);
    await waitForPreview(page, 100);
    const zoom = page.locator('output[aria-label="Zoom level"]');
    const fitText = await zoom.textContent();
    await page.getByRole('button', { name: '100%' }).click();
    await expect(zoom).toHaveText('100%');
    await expect.poll(async () => Number(await viewer(page).getAttribute('data-region-seq'))).toBeGreaterThan(0);
    const before = await canvasStats(page);

    // Dragging moves the picture.
    const box = await viewer(page).boundingBox();
    if (!box) throw new Error('no viewer');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2 - 300, box.y + box.height / 2 - 200, { steps: 5 });
    await page.mouse.up();
    await expect.poll(async () => blockDiff(await canvasStats(page), before)).toBeGreaterThan(2);

    // The wheel zooms in at the cursor; "F" fits again.
    await page.mouse.wheel(0, -400);
    await expect.poll(async () => parseInt((await zoom.textContent()) ?? '0', 10)).toBeGreaterThan(100);
    await pressGlobal(page, 'f');
    await expect(zoom).toHaveText(fitText ?? '');
  });

  test('main window screenshot', async ({ page }) => {
    await openPhotos(page, [realPhoto('canon.jpg'), realPhoto('dubai.jpg'), realPhoto('herzeliya.jpg'), realPhoto('lviv.jpg')]);
    await waitForPreview(page, 100);
    await page.getByRole('button', { name: 'Split' }).click();
    await page.getByRole('slider', { name: 'Before/after divider' }).focus();
    await page.keyboard.press('ArrowLeft');
    await page.locator('body').click({ position: { x: 5, y: 5 } });
    await expect(page.getByRole('button', { name: 'herzeliya.jpg' })).toBeVisible();
    await page.waitForFunction(() => [...document.querySelectorAll('nav img')].length >= 4);
    await page.screenshot({ path: 'test-results/main-window.png' });
  });
});
