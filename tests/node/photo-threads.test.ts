/**
 * Photo threads started ahead of need (node/photo-threads.ts, cli/prestart.ts): how many the
 * command line starts for what it is asked, that a lane never gets one that has already ended,
 * and that threads never taken do not keep the process alive.
 */
import { spawnSync } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workerLanesFor } from '../../cli/prestart';
import { prestartPhotoThreads, stopSpareThreads, takePhotoThread } from '../../node/photo-threads';
import { REPO, copyPhoto, makeTempDir } from './cli-helpers';

const GB = 2 ** 30;
let dir: string;

beforeAll(() => {
  dir = makeTempDir('photo-threads');
});

afterAll(async () => {
  await stopSpareThreads();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('threads started ahead', () => {
  it('are as many as the batch will have worker lanes (at most one per core but this one), and none for one photo, --jobs 1, help or nothing to do', () => {
    const album = path.join(dir, 'album');
    fs.mkdirSync(album);
    for (const name of ['a.jpg', 'b.JPG', 'c.png']) copyPhoto('urbino.jpg', album, name);
    fs.writeFileSync(path.join(album, 'notes.txt'), 'not a photo');
    // Named as an earlier run's output: not counted (the batch leaves outputs out).
    copyPhoto('urbino.jpg', album, 'a-dehazed.jpg');
    copyPhoto('urbino.jpg', album, 'b-dehazed (2).JPG');
    copyPhoto('urbino.jpg', album, '.hidden.jpg');
    const eight = { cores: 8, availableBytes: 16 * GB };
    // Lane 0 is the main thread: three photos, two threads.
    expect(workerLanesFor([album], eight)).toBe(2);
    const more = path.join(dir, 'more.jpg');
    copyPhoto('urbino.jpg', dir, 'more.jpg');
    expect(workerLanesFor([album, more], eight)).toBe(3);
    // With --jobs above the cores: one thread per core but this one's, the others when needed.
    expect(workerLanesFor(['--jobs', '8', album, more], { cores: 2, availableBytes: 16 * GB })).toBe(1);
    expect(workerLanesFor([album], { cores: 2, availableBytes: 16 * GB })).toBe(1);
    expect(workerLanesFor(['--jobs', '2', album], eight)).toBe(1);
    expect(workerLanesFor(['--jobs', '1', album], eight)).toBe(0);
    expect(workerLanesFor([path.join(album, 'a.jpg')], eight)).toBe(0);
    expect(workerLanesFor(['--help'], eight)).toBe(0);
    expect(workerLanesFor(['--no-such-option', album], eight)).toBe(0);
    expect(workerLanesFor([path.join(dir, 'missing')], eight)).toBe(0);
    // Subfolders count with -r, as the batch walks them: not its own output folders.
    const nested = path.join(dir, 'nested');
    fs.mkdirSync(path.join(nested, '2024', 'june'), { recursive: true });
    fs.mkdirSync(path.join(nested, 'dehazed'));
    copyPhoto('urbino.jpg', path.join(nested, '2024'), 'x.jpg');
    copyPhoto('urbino.jpg', path.join(nested, '2024', 'june'), 'y.jpg');
    copyPhoto('urbino.jpg', path.join(nested, 'dehazed'), 'z.jpg');
    expect(workerLanesFor([nested], eight)).toBe(0);
    expect(workerLanesFor(['-r', nested], eight)).toBe(1);
    // Links to photos count, as the batch follows them.
    const linked = path.join(dir, 'linked');
    fs.mkdirSync(linked);
    for (const name of ['p.jpg', 'q.jpg', 'r.jpg']) fs.symlinkSync(path.join(album, 'a.jpg'), path.join(linked, name));
    expect(workerLanesFor([linked], eight)).toBe(2);
  });

  it('a thread started ahead that ended before a lane asked for it is not given to one: a new thread is', async () => {
    // Its first start ends at once (as a thread that failed to load would); the next one answers.
    const marker = path.join(dir, 'started-once');
    const entry = path.join(dir, 'flaky-entry.cjs');
    fs.writeFileSync(
      entry,
      `const fs = require('node:fs'); const { parentPort } = require('node:worker_threads');
       if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(3); }
       parentPort.postMessage('alive'); parentPort.on('message', () => process.exit(0));`,
    );
    prestartPhotoThreads(1, pathToFileURL(entry));
    while (!fs.existsSync(marker)) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 1000)); // its exit reaches this thread
    const worker = takePhotoThread(pathToFileURL(entry));
    const [message] = (await once(worker, 'message')) as [string];
    expect(message).toBe('alive');
    worker.postMessage('bye');
    await once(worker, 'exit');
  });

  it('never taken, they do not keep the process alive', () => {
    const entry = path.join(dir, 'idle-entry.cjs');
    // A thread that waits for its lane's messages forever, as a photo thread waits for its setup.
    fs.writeFileSync(entry, `require('node:worker_threads').parentPort.on('message', () => {});`);
    const script = path.join(dir, 'prestart-and-end.ts');
    fs.writeFileSync(
      script,
      `import { prestartPhotoThreads } from ${JSON.stringify(path.join(REPO, 'node/photo-threads.ts'))};
       prestartPhotoThreads(2, new URL(${JSON.stringify(pathToFileURL(entry).href)}));
       setTimeout(() => console.log('done'), 300);`,
    );
    const run = spawnSync(process.execPath, ['--import', 'tsx', script], { cwd: REPO, timeout: 10_000, encoding: 'utf8' });
    expect(run.signal).toBeNull();
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('done');
  });
});
