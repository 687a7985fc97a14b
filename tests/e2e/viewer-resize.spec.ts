import { expect, test } from '@playwright/test';
import { openPhotos, realPhoto, viewer, waitForPreview } from './helpers';

/** Backing size of the viewer canvas and width of the preview picture drawn on it. */
async function resolution(page: import('@playwright/test').Page): Promise<{ canvas: number; preview: number }> {
  const canvas = viewer(page);
  return {
    canvas: await canvas.evaluate((el) => (el as HTMLCanvasElement).width),
    preview: Number(await canvas.getAttribute('data-preview-width')),
  };
}

test('a window made much larger gets a sharper preview; a smaller one keeps it', async ({ page }) => {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  await page.setViewportSize({ width: 1100, height: 720 });
  await page.goto('/');
  await expect(page.getByText(/WASM|WebGPU/).first()).toBeVisible({ timeout: 60_000 });

  // 2074 x 1556: larger than the proxy a small window asks for.
  await openPhotos(page, [realPhoto('urbino.jpg')]);
  await waitForPreview(page, 100);
  const small = await resolution(page);
  expect(small.preview).toBeGreaterThan(0);
  expect(small.preview).toBeLessThan(1600);

  // Larger: the canvas follows at once, the preview (a new proxy, same estimate) shortly after.
  await page.setViewportSize({ width: 2560, height: 1440 });
  await expect.poll(async () => (await resolution(page)).canvas).toBeGreaterThan(small.canvas * 1.5);
  await expect.poll(async () => (await resolution(page)).preview, { timeout: 30_000 }).toBeGreaterThan(small.preview * 1.25);
  await expect(viewer(page)).toHaveAttribute('data-state', 'ready');
  const large = await resolution(page);

  // Smaller again: the larger proxy stays (no remake), the canvas shrinks.
  await page.setViewportSize({ width: 1100, height: 720 });
  await expect.poll(async () => (await resolution(page)).canvas).toBeLessThan(large.canvas);
  await page.waitForTimeout(1000);
  expect((await resolution(page)).preview).toBe(large.preview);
  expect(problems).toEqual([]);
});

test('a small window keeps the whole toolbar in view, Export included, with nothing to scroll sideways', async ({ page }) => {
  await page.setViewportSize({ width: 800, height: 600 });
  await page.goto('/');
  await expect(page.getByText(/WASM|WebGPU/).first()).toBeVisible({ timeout: 60_000 });
  await openPhotos(page, [realPhoto('canon.jpg')]);
  await waitForPreview(page, 100);
  const toolbar = page.getByRole('banner');
  for (const name of ['Open photos', 'Open folder', 'Undo', 'Split', 'Haze map', 'Fit', 'Keyboard shortcuts', 'Export']) {
    const box = await toolbar.getByRole('button', { name, exact: true }).boundingBox();
    expect({ name, inView: box !== null && box.x >= 0 && box.x + box.width <= 800 }).toEqual({ name, inView: true });
  }
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(800);
  // Its names are still there for the keyboard and screen readers, and its tooltips for the mouse.
  await expect(toolbar.getByRole('button', { name: 'Split', exact: true })).toHaveAttribute('title', /Before\/after split/);
  await page.screenshot({ path: test.info().outputPath('toolbar-800.png') });
});
