import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyPhoto, makeTempDir, pixelStats, runCli } from './cli-helpers';

// canon.jpg is a thick, grey, real haze (a city seen from a hill).
describe('hazeless: the output is actually dehazed', () => {
  let dir: string;

  beforeAll(() => {
    dir = makeTempDir('dehaze');
    copyPhoto('canon.jpg', dir);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('haze goes down with strength: the dark channel drops, and strength 50 lies between', async () => {
    const full = await runCli(['canon.jpg', '--format', 'png', '-o', 'full'], { cwd: dir });
    const half = await runCli(['canon.jpg', '--format', 'png', '-o', 'half', '--strength', '50'], { cwd: dir });
    expect(full.code).toBe(0);
    expect(half.code).toBe(0);
    const input = await pixelStats(path.join(dir, 'canon.jpg'));
    const s100 = await pixelStats(path.join(dir, 'full', 'canon-dehazed.png'));
    const s50 = await pixelStats(path.join(dir, 'half', 'canon-dehazed.png'));
    // Haze adds airlight to every pixel, lifting min(R,G,B); removing it brings the minimum down.
    expect(s100.darkChannel).toBeLessThan(input.darkChannel * 0.8);
    expect(s50.darkChannel).toBeLessThan(input.darkChannel);
    expect(s50.darkChannel).toBeGreaterThan(s100.darkChannel);
  });

  test('neutral sliders give back the very pixels of the input (lossless round trip)', async () => {
    const run = await runCli(
      ['canon.jpg', '--format', 'png', '-o', 'neutral', '--strength', '0', '--distance', '0', '--protect', '0', '--exposure', '0'],
      { cwd: dir },
    );
    expect(run.code).toBe(0);
    const a = await sharp(path.join(dir, 'canon.jpg')).raw().toBuffer();
    const b = await sharp(path.join(dir, 'neutral', 'canon-dehazed.png')).raw().toBuffer();
    expect(b.length).toBe(a.length);
    expect(Buffer.compare(a, b)).toBe(0);
  });
});
