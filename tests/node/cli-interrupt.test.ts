import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REAL_PHOTOS, makeTempDir, runCli } from './cli-helpers.js';

// Ctrl-C once: the current photo is finished, the rest not started. Twice: the current photo is
// abandoned and no partial file is left. Photos are 12 MP so that each one takes a while.
describe('hazeless: Ctrl-C', () => {
  let dir: string;

  beforeAll(async () => {
    dir = makeTempDir('interrupt');
    const big = path.join(dir, 'a.jpg');
    await sharp(path.join(REAL_PHOTOS, 'urbino.jpg')).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(big);
    fs.copyFileSync(big, path.join(dir, 'b.jpg'));
    fs.copyFileSync(big, path.join(dir, 'c.jpg'));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const outputs = (folder: string): string[] => fs.readdirSync(path.join(dir, folder)).sort();

  test('once: finishes the current file, starts no other, reports and exits 130', async () => {
    const run = await runCli(['.', '-o', 'once'], {
      cwd: dir,
      control: async (child, waitFor) => {
        await waitFor(/\[1\/3\] a\.jpg/);
        child.kill('SIGINT');
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Stopping after the current file');
    expect(run.stdout).toMatch(/\[2\/3\] b\.jpg ->/);
    expect(run.stdout).toMatch(/Interrupted: 2 dehazed, 1 not started of 3/);
    expect(outputs('once')).toEqual(['a-dehazed.jpg', 'b-dehazed.jpg']);
  });

  test('twice: aborts the current file and leaves nothing partial behind', async () => {
    const run = await runCli(['.', '-o', 'twice'], {
      cwd: dir,
      control: async (child, waitFor) => {
        await waitFor(/\[1\/3\] a\.jpg/);
        child.kill('SIGINT');
        await waitFor(/Stopping after the current file/);
        child.kill('SIGINT');
      },
    });
    expect(run.code).toBe(130);
    expect(run.stdout).toMatch(/aborted b\.jpg/);
    expect(run.stdout).toMatch(/Interrupted: 1 dehazed, 1 aborted, 1 not started of 3/);
    // Hidden temporary files included: only the finished photo is there.
    expect(outputs('twice')).toEqual(['a-dehazed.jpg']);
  });
});
