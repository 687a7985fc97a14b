/** Shared steps and pixel measurements for the browser-mode end-to-end tests. */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expect, type Download, type Page } from '@playwright/test';
import sharp from 'sharp';

export const REAL = resolve('../shared/data/real');
export const realPhoto = (name: string): string => join(REAL, name);

/** A file that claims to be a JPEG but is not one (header, then garbage). */
export function corruptJpeg(dir: string, name = 'broken.jpg'): string {
  mkdirSync(dir, { recursive: true });
  const bytes = Buffer.alloc(4096);
  for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 131 + 7) & 0xff;
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46], 0);
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

export async function openPhotos(page: Page, files: string[]): Promise<void> {
  const chooser = page.waitForEvent('filechooser');
  await page.getByRole('banner').getByRole('button', { name: 'Open photos' }).click();
  await (await chooser).setFiles(files);
}

/** Exports the whole album of `count` photos in `format`; its downloads arrive in the returned list. */
export async function exportWholeAlbum(page: Page, format: string, count: number): Promise<Download[]> {
  const downloads: Download[] = [];
  page.on('download', (d) => downloads.push(d));
  await page.getByRole('banner').getByRole('button', { name: 'Export' }).click();
  const dialog = page.getByRole('dialog', { name: 'Export' });
  await dialog.getByRole('radio', { name: /Whole album/ }).check();
  await dialog.getByLabel('Format').selectOption(format);
  await dialog.getByRole('button', { name: `Export ${count} photos` }).click();
  return downloads;
}

export const viewer = (page: Page) => page.locator('canvas[aria-label="Photo preview"]');

/** Waits until the viewer shows a finished preview rendered with this strength (if given). */
export async function waitForPreview(page: Page, strength?: number): Promise<number> {
  const canvas = viewer(page);
  await expect(canvas).toHaveAttribute('data-state', 'ready', { timeout: 90_000 });
  if (strength !== undefined) await expect(canvas).toHaveAttribute('data-adjustments', new RegExp(`"strength":${strength}[,}]`));
  return Number(await canvas.getAttribute('data-seq'));
}

/** Waits for a frame newer than `seq`. */
export async function waitForNewFrame(page: Page, seq: number): Promise<number> {
  await expect.poll(async () => Number(await viewer(page).getAttribute('data-seq'))).toBeGreaterThan(seq);
  return Number(await viewer(page).getAttribute('data-seq'));
}

export interface Stats {
  /** Mean of min(R, G, B): haze lifts it (the dark channel prior). */
  darkChannel: number;
  /** Standard deviation of luma: haze flattens it. */
  contrast: number;
  /** 16 x 16 block means of luma, to compare two pictures. */
  blocks: number[];
}

/**
 * Statistics of what the viewer canvas shows inside a box given as fractions of the canvas
 * (default: the middle half, which is inside the photo in "fit" view).
 */
export async function canvasStats(page: Page, box = { x0: 0.3, y0: 0.25, x1: 0.7, y1: 0.75 }): Promise<Stats> {
  return viewer(page).evaluate((el, b) => {
    const canvas = el as HTMLCanvasElement;
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D context');
    const x = Math.round(canvas.width * b.x0);
    const y = Math.round(canvas.height * b.y0);
    const w = Math.round(canvas.width * (b.x1 - b.x0));
    const h = Math.round(canvas.height * (b.y1 - b.y0));
    const d = ctx.getImageData(x, y, w, h).data;
    let dark = 0;
    let sum = 0;
    let sum2 = 0;
    const grid = 16;
    const blocks = new Array<number>(grid * grid).fill(0);
    const counts = new Array<number>(grid * grid).fill(0);
    for (let j = 0; j < h; j++) {
      for (let i = 0; i < w; i++) {
        const p = (j * w + i) * 4;
        const l = 0.2126 * d[p] + 0.7152 * d[p + 1] + 0.0722 * d[p + 2];
        dark += Math.min(d[p], d[p + 1], d[p + 2]);
        sum += l;
        sum2 += l * l;
        const k = Math.floor((j * grid) / h) * grid + Math.floor((i * grid) / w);
        blocks[k] += l;
        counts[k]++;
      }
    }
    const n = w * h;
    return {
      darkChannel: dark / n,
      contrast: Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2)),
      blocks: blocks.map((v, i) => v / Math.max(1, counts[i])),
    };
  }, box);
}

export function blockDiff(a: Stats, b: Stats): number {
  let s = 0;
  for (let i = 0; i < a.blocks.length; i++) s += Math.abs(a.blocks[i] - b.blocks[i]);
  return s / a.blocks.length;
}

/** Shows the original (hold B) and measures it. */
export async function originalStats(page: Page, box?: Parameters<typeof canvasStats>[1]): Promise<Stats> {
  await page.keyboard.down('b');
  await expect(viewer(page)).toHaveAttribute('data-showing', 'original');
  const stats = await canvasStats(page, box);
  await page.keyboard.up('b');
  await expect(viewer(page)).not.toHaveAttribute('data-showing', 'original');
  return stats;
}

/** Dark-channel mean and luma contrast of an image file, decoded by sharp. */
export async function fileStats(path: string | Buffer): Promise<{ width: number; height: number; format: string; darkChannel: number; contrast: number }> {
  const meta = await sharp(path).metadata();
  const { data, info } = await sharp(path).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  let sum = 0;
  let sum2 = 0;
  const n = info.width * info.height;
  for (let p = 0; p < data.length; p += 3) {
    const l = 0.2126 * data[p] + 0.7152 * data[p + 1] + 0.0722 * data[p + 2];
    dark += Math.min(data[p], data[p + 1], data[p + 2]);
    sum += l;
    sum2 += l * l;
  }
  return {
    width: info.width,
    height: info.height,
    format: meta.format ?? 'unknown',
    darkChannel: dark / n,
    contrast: Math.sqrt(Math.max(0, sum2 / n - (sum / n) ** 2)),
  };
}

/** A key for the whole window, not for whatever control last had focus (e.g. a slider). */
export async function pressGlobal(page: Page, key: string): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  await page.keyboard.press(key);
}
