import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REAL_PHOTOS, makeTempDir, runCli } from './cli-helpers';

// Ctrl-C once: the photos in progress are finished, the rest not started. Twice: the photos in
// progress are abandoned and no partial file is left. Photos are 12 MP so that each one takes a
// while; --jobs 1 pins down exactly which photo is in progress, --jobs 2 has two at once.
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
    const run = await runCli(['.', '-o', 'once', '--jobs', '1'], {
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
    const run = await runCli(['.', '-o', 'twice', '--jobs', '1'], {
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

  /** Every file in `folder` (hidden temporary files too), none if it is not there. */
  const anything = (folder: string): string[] => (fs.existsSync(path.join(dir, folder)) ? outputs(folder) : []);
  const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

  // An AVIF of 12 MP takes seconds to encode on two cores, and nothing interrupts an encode.
  test('three times: leaves at once, even while a photo is being encoded, and leaves nothing behind', async () => {
    let lastSignal = 0;
    const run = await runCli(['a.jpg', '-o', 'three', '--format', 'avif'], {
      cwd: dir,
      control: async (child) => {
        await sleep(2000);
        child.kill('SIGINT');
        await sleep(100);
        child.kill('SIGINT');
        await sleep(100);
        child.kill('SIGINT');
        lastSignal = performance.now();
      },
    });
    expect(performance.now() - lastSignal).toBeLessThan(1500);
    // Killed by SIGINT itself: the shell says 130.
    expect(run.signal).toBe('SIGINT');
    expect(anything('three')).toEqual([]);
  });

  test('SIGTERM: aborts, and leaves within seconds when the photo being encoded cannot stop', async () => {
    let sent = 0;
    const run = await runCli(['a.jpg', 'b.jpg', '-o', 'term', '--format', 'avif', '--jobs', '2'], {
      cwd: dir,
      control: async (child) => {
        await sleep(2000);
        child.kill('SIGTERM');
        sent = performance.now();
      },
    });
    expect(performance.now() - sent).toBeLessThan(4500);
    expect(run.signal).toBe('SIGTERM');
    expect(run.stderr).toContain('Aborting the current files');
    expect(anything('term')).toEqual([]);
  });

  test('stdout closed by its reader: leaves at once, as if by SIGPIPE, with no trace and nothing partial', async () => {
    const run = await runCli(['.', '-o', 'pipe', '--jobs', '1', '--json'], {
      cwd: dir,
      control: async (child, waitFor) => {
        await waitFor(/"input"/);
        child.stdout?.destroy();
      },
    });
    expect(run.signal).toBe('SIGPIPE');
    expect(run.stderr).not.toMatch(/EPIPE|at .*\.(ts|cjs|js):\d+/);
    const names = anything('pipe');
    expect(names.filter((n) => !/^[abc]-dehazed\.jpg$/.test(n))).toEqual([]);
    for (const n of names) await sharp(path.join(dir, 'pipe', n), { failOn: 'truncated' }).stats();
  });

  test('stdout or stderr closed before the last thing said: ends as if by SIGPIPE, the photo written whole', async () => {
    fs.mkdirSync(path.join(dir, 'small'), { recursive: true });
    fs.copyFileSync(path.join(REAL_PHOTOS, 'cones.jpg'), path.join(dir, 'small', 'cones.jpg'));
    for (const stream of ['stdout', 'stderr'] as const) {
      // --json: the photo's line goes to stdout, the summary after it to stderr.
      const run = await runCli(['small/cones.jpg', '-o', `closed-${stream}`, '--json'], { cwd: dir, control: (child) => void child[stream]?.destroy() });
      expect({ stream, signal: run.signal }).toEqual({ stream, signal: 'SIGPIPE' });
      expect(anything(`closed-${stream}`)).toEqual(['cones-dehazed.jpg']);
      await sharp(path.join(dir, `closed-${stream}`, 'cones-dehazed.jpg'), { failOn: 'truncated' }).stats();
    }
  });

  /** The summary's counts, and a check that every output there is a whole photo. */
  async function wholeOutputs(stdout: string, folder: string): Promise<{ dehazed: number; aborted: number; notStarted: number }> {
    const m = /Interrupted: (\d+) dehazed(?:, (\d+) aborted)?(?:, (\d+) not started)? of 3/.exec(stdout);
    expect(m).not.toBeNull();
    const [dehazed, aborted, notStarted] = [m![1], m![2], m![3]].map((n) => Number(n ?? 0));
    expect(dehazed + aborted + notStarted).toBe(3);
    // Hidden temporary files included: only finished photos, each one decodable to its last row.
    const names = fs.existsSync(path.join(dir, folder)) ? outputs(folder) : [];
    expect(names).toHaveLength(dehazed);
    for (const n of names) {
      expect(n).toMatch(/^[abc]-dehazed\.jpg$/);
      const { info } = await sharp(path.join(dir, folder, n), { failOn: 'truncated' }).raw().toBuffer({ resolveWithObject: true });
      expect([info.width, info.height]).toEqual([4000, 3000]);
    }
    return { dehazed, aborted, notStarted };
  }

  test('--jobs 2, once: the photos in progress are finished, none is aborted', async () => {
    const run = await runCli(['.', '-o', 'once2', '--jobs', '2'], {
      cwd: dir,
      control: async (child, waitFor) => {
        await waitFor(/\[1\/3\]/);
        child.kill('SIGINT');
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Stopping after the current files');
    const counts = await wholeOutputs(run.stdout, 'once2');
    expect(counts.aborted).toBe(0);
    expect(counts.dehazed).toBeGreaterThanOrEqual(2);
  });

  test('--jobs 2, twice: the photos in progress are aborted and leave nothing behind', async () => {
    const run = await runCli(['.', '-o', 'twice2', '--jobs', '2'], {
      cwd: dir,
      control: async (child, waitFor) => {
        await waitFor(/\[1\/3\]/);
        child.kill('SIGINT');
        await waitFor(/Stopping after the current files/);
        child.kill('SIGINT');
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toContain('Aborting the current files');
    const counts = await wholeOutputs(run.stdout, 'twice2');
    expect(counts.aborted).toBeGreaterThanOrEqual(1);
    expect(run.stdout.match(/aborted [abc]\.jpg: nothing written/g)?.length).toBe(counts.aborted);
  });
});
