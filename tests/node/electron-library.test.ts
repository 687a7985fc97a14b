import { copyFile, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_MARKER, describeFiles, findImages, scanAlbum } from '../../electron/library';
import { readPreview, readThumbnail } from '../../electron/photo-reader';

const REAL = path.resolve('../shared/data/real');
let dir: string;
let realNames: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hazeless-album-'));
  realNames = (await readdir(REAL)).filter((n) => n.toLowerCase().endsWith('.jpg')).sort().slice(0, 4);
  for (const n of realNames.slice(0, 3)) await copyFile(path.join(REAL, n), path.join(dir, n));
  await mkdir(path.join(dir, 'sub'));
  await copyFile(path.join(REAL, realNames[3]), path.join(dir, 'sub', realNames[3]));
  // A file named like a photo whose bytes are not one.
  await writeFile(path.join(dir, 'corrupt.jpg'), Buffer.from('this is not a jpeg at all, just text'));
  await writeFile(path.join(dir, 'notes.txt'), 'ignored');
  await copyFile(path.join(REAL, realNames[0]), path.join(dir, '.hidden.jpg'));
  await mkdir(path.join(dir, '.cache'));
  await copyFile(path.join(REAL, realNames[0]), path.join(dir, '.cache', 'x.jpg'));
  // An export output folder inside the album must not be listed as part of it.
  await mkdir(path.join(dir, 'Dehazed'));
  await writeFile(path.join(dir, 'Dehazed', OUTPUT_MARKER), '');
  await copyFile(path.join(REAL, realNames[0]), path.join(dir, 'Dehazed', 'out.jpg'));
  // A symlinked folder pointing out of the album is not followed.
  await symlink(REAL, path.join(dir, 'link-out'));
  // A 40x20 image stored with EXIF orientation 6 (rotate 90 on display).
  await sharp({ create: { width: 40, height: 20, channels: 3, background: { r: 200, g: 10, b: 10 } } })
    .jpeg()
    .withMetadata({ orientation: 6 })
    .toFile(path.join(dir, 'rotated.jpg'));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('album scanning', () => {
  it('lists supported photos of the folder only, with the corrupt one flagged', async () => {
    const entries = await scanAlbum(dir, { recursive: false });
    const names = entries.map((e) => e.name).sort();
    expect(names).toEqual([...realNames.slice(0, 3), 'corrupt.jpg', 'rotated.jpg'].sort());
    const corrupt = entries.find((e) => e.name === 'corrupt.jpg');
    expect(corrupt?.readable).toBe(false);
    if (corrupt && !corrupt.readable) expect(corrupt.error.length).toBeGreaterThan(0);
    for (const e of entries.filter((x) => x.name !== 'corrupt.jpg')) {
      expect(e.readable).toBe(true);
      expect(e.size).toBeGreaterThan(0);
      expect(e.mtimeMs).toBeGreaterThan(0);
      if (e.readable) expect(e.width * e.height).toBeGreaterThan(0);
    }
    const rotated = entries.find((e) => e.name === 'rotated.jpg');
    expect(rotated?.readable && [rotated.width, rotated.height]).toEqual([20, 40]);
  });

  it('recurses into subfolders but skips hidden, symlinked and our output folders', async () => {
    const files = await findImages(dir, { recursive: true });
    const rel = files.map((f) => path.relative(dir, f));
    expect(rel).toContain(path.join('sub', realNames[3]));
    expect(rel.some((r) => r.startsWith('Dehazed'))).toBe(false);
    expect(rel.some((r) => r.startsWith('.') || r.includes(`${path.sep}.`))).toBe(false);
    expect(rel.some((r) => r.startsWith('link-out'))).toBe(false);
    expect(rel).toHaveLength(6);
  });

  it('honours abort', async () => {
    const controller = new AbortController();
    controller.abort();
    await expect(scanAlbum(dir, { recursive: true, signal: controller.signal })).rejects.toThrow();
  });

  it('describes individually opened files', async () => {
    const [one, bad] = await describeFiles([path.join(dir, realNames[0]), path.join(dir, 'corrupt.jpg')]);
    expect(one.readable).toBe(true);
    expect(one.relativePath).toBe(realNames[0]);
    expect(bad.readable).toBe(false);
  });
});

describe('photo reading', () => {
  it('decodes an oriented RGBA preview, downscaled to maxSide', async () => {
    const file = path.join(dir, realNames[0]);
    const meta = await sharp(file).metadata();
    const full = await readPreview(file, null);
    expect([full.sourceWidth, full.sourceHeight]).toEqual([meta.autoOrient.width, meta.autoOrient.height]);
    expect([full.width, full.height]).toEqual([full.sourceWidth, full.sourceHeight]);
    expect(full.rgba.byteLength).toBe(full.width * full.height * 4);
    const proxy = await readPreview(file, 256);
    expect(Math.max(proxy.width, proxy.height)).toBe(256);
    expect(proxy.rgba.byteLength).toBe(proxy.width * proxy.height * 4);
    // Opaque photo: alpha is 255 everywhere; and not a blank image.
    let minA = 255;
    let sum = 0;
    for (let i = 0; i < proxy.rgba.length; i += 4) {
      minA = Math.min(minA, proxy.rgba[i + 3]);
      sum += proxy.rgba[i];
    }
    expect(minA).toBe(255);
    expect(sum / (proxy.width * proxy.height)).toBeGreaterThan(5);
  });

  it('applies EXIF orientation', async () => {
    const p = await readPreview(path.join(dir, 'rotated.jpg'), null);
    expect([p.width, p.height]).toEqual([20, 40]);
    expect(p.rgba[0]).toBeGreaterThan(150);
  });

  it('makes small JPEG thumbnails', async () => {
    const t = await readThumbnail(path.join(dir, realNames[1]), 160);
    expect(Math.max(t.width, t.height)).toBe(160);
    const meta = await sharp(t.jpeg).metadata();
    expect(meta.format).toBe('jpeg');
    expect([meta.width, meta.height]).toEqual([t.width, t.height]);
    expect(t.jpeg.byteLength).toBeLessThan(40_000);
  });

  it('fails on a corrupt file with a reason', async () => {
    await expect(readPreview(path.join(dir, 'corrupt.jpg'), 256)).rejects.toThrow();
  });
});
