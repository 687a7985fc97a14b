import { createHash } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportDone, ExportFileResult, ExportOptions, ExportProgress } from '../../common/contract';
import { ExportQueue } from '../../electron/export-jobs';
import { OUTPUT_MARKER, scanAlbum } from '../../electron/library';
import { locateModel } from '../../electron/model-lookup';
import { spareThreads } from '../../node/photo-threads';
import { isTempName } from '../../node/safe-write';
import { PHOTO_WORKER_SOURCE } from './photo-worker-source';

const REAL = path.resolve('../shared/data/real');

interface Recorded {
  progress: ExportProgress[];
  results: ExportFileResult[];
  done: Promise<ExportDone>;
}

function makeQueue(extra: { cancelGraceMs?: number; jobs?: number; spareThreads?: number; spareThreadsDelayMs?: number } = {}): { queue: ExportQueue; record: (jobId: () => string) => Recorded } {
  const listeners: { progress: ExportProgress[]; results: ExportFileResult[]; resolve: (d: ExportDone) => void }[] = [];
  const queue = new ExportQueue({
    workerEntry: PHOTO_WORKER_SOURCE,
    manifestPath: async () => (await locateModel({ isPackaged: false, resourcesPath: '', appPath: process.cwd() })).manifestPath,
    progressIntervalMs: 0,
    ...extra,
    events: {
      progress: (p) => listeners.forEach((l) => l.progress.push(p)),
      fileResult: (r) => listeners.forEach((l) => l.results.push(r)),
      done: (d) => listeners.forEach((l) => l.resolve(d)),
    },
  });
  return {
    queue,
    record: () => {
      const rec = { progress: [] as ExportProgress[], results: [] as ExportFileResult[], resolve: (_d: ExportDone) => {} };
      const done = new Promise<ExportDone>((resolve) => (rec.resolve = resolve));
      listeners.push(rec);
      return { progress: rec.progress, results: rec.results, done };
    },
  };
}

const sha256 = async (f: string): Promise<string> => createHash('sha256').update(await readFile(f)).digest('hex');
const adjustments = { strength: 100, distance: 0, protect: 0, exposure: 0 };

let dir: string;
let album: string;
let withMeta: string;
let corrupt: string;
let plain: string[];

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hazeless-export-'));
  album = path.join(dir, 'album');
  await mkdir(album);
  plain = [];
  for (const n of ['cones.jpg', 'swan.jpg', 'canon.jpg']) {
    await copyFile(path.join(REAL, n), path.join(album, n));
    plain.push(path.join(album, n));
  }
  // A real hazy photo carrying EXIF (camera tags + orientation 6) and an ICC profile.
  withMeta = path.join(album, 'tagged.jpg');
  await sharp(path.join(REAL, 'ny17.jpg'))
    .withIccProfile('p3')
    .withExif({ IFD0: { Make: 'HazelessTestCam', Model: 'T-1', Orientation: '6' } })
    .jpeg({ quality: 92 })
    .toFile(withMeta);
  await copyFile(path.join(REAL, 'urbino.jpg'), path.join(album, 'urbino.jpg'));
  corrupt = path.join(album, 'corrupt.jpg');
  await writeFile(corrupt, Buffer.concat([(await readFile(plain[0])).subarray(0, 2000)]));
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

function options(outFolder: string, over: Partial<ExportOptions> = {}): ExportOptions {
  return { format: 'jpeg', quality: 90, maxSize: null, outFolder, suffix: '-dehazed', onExisting: 'rename', ...over };
}

describe('export queue (worker thread, real model)', () => {
  it('exports dehazed photos with metadata, reports progress/ETA, continues past a corrupt file', async () => {
    const { queue, record } = makeQueue();
    const out = path.join(album, 'Dehazed');
    const before = new Map<string, string>();
    for (const f of [...plain, withMeta, corrupt]) before.set(f, await sha256(f));
    const rec = record(() => '');
    const jobId = queue.start({
      items: [withMeta, corrupt, ...plain].map((p) => ({ path: p, adjustments })),
      options: options(out),
    });
    const done = await rec.done;
    expect(done).toMatchObject({ jobId, ok: 4, skipped: 0, failed: 1, cancelled: false, outFolder: out });

    const failed = rec.results.find((r) => r.status === 'failed');
    expect(failed?.path).toBe(corrupt);
    if (failed?.status === 'failed') expect(failed.reason).toMatch(/truncated|damaged|premature|corrupt/i);

    // Originals untouched, byte for byte.
    for (const [f, h] of before) expect(await sha256(f), f).toBe(h);

    // Outputs: present, complete, upright, metadata kept, and actually dehazed.
    const tagged = rec.results.find((r) => r.path === withMeta);
    expect(tagged?.status).toBe('ok');
    if (tagged?.status !== 'ok') throw new Error('tagged export failed');
    expect(path.basename(tagged.outPath)).toBe('tagged-dehazed.jpg');
    const inMeta = await sharp(withMeta).metadata();
    const outMeta = await sharp(tagged.outPath).metadata();
    expect(outMeta.format).toBe('jpeg');
    expect([outMeta.width, outMeta.height]).toEqual([inMeta.autoOrient.width, inMeta.autoOrient.height]);
    expect(outMeta.orientation ?? 1).toBe(1);
    expect(outMeta.icc?.equals(inMeta.icc!)).toBe(true);
    expect(outMeta.exif?.toString('latin1')).toContain('HazelessTestCam');

    for (const src of plain) {
      const r = rec.results.find((x) => x.path === src);
      expect(r?.status, src).toBe('ok');
      if (r?.status !== 'ok') continue;
      const a = await sharp(src).raw().toBuffer({ resolveWithObject: true });
      const b = await sharp(r.outPath).raw().toBuffer({ resolveWithObject: true });
      expect([b.info.width, b.info.height]).toEqual([a.info.width, a.info.height]);
      // Dehazing removes the grey veil: the darkest channel gets darker on average.
      let darkIn = 0;
      let darkOut = 0;
      let diff = 0;
      for (let i = 0; i < a.data.length; i += 3) {
        darkIn += Math.min(a.data[i], a.data[i + 1], a.data[i + 2]);
        darkOut += Math.min(b.data[i], b.data[i + 1], b.data[i + 2]);
        diff += Math.abs(a.data[i] - b.data[i]);
      }
      const n = a.data.length / 3;
      expect(diff / n, src).toBeGreaterThan(3);
      expect(darkOut / n, src).toBeLessThan(darkIn / n);
    }

    // Progress: stages of the pipeline, done counts up to total, an ETA once a file finished.
    expect(rec.progress.every((p) => p.jobId === jobId && p.total === 5)).toBe(true);
    const stages = new Set(rec.progress.map((p) => p.stage));
    for (const s of ['decode', 'estimate', 'render', 'encode', 'done']) expect(stages, s).toContain(s);
    expect(rec.progress.at(-1)).toMatchObject({ stage: 'done', done: 5 });
    expect(rec.progress.some((p) => p.etaSeconds !== null && p.etaSeconds >= 0)).toBe(true);
    expect(rec.progress.find((p) => p.done === 0 && p.stage !== 'queued')?.etaSeconds).toBeNull();

    // The folder we created is marked, so the album does not list its own exports.
    expect((await readdir(out)).sort()).toEqual([OUTPUT_MARKER, 'canon-dehazed.jpg', 'cones-dehazed.jpg', 'swan-dehazed.jpg', 'tagged-dehazed.jpg']);
    expect((await scanAlbum(album, { recursive: true })).some((e) => e.path.startsWith(out))).toBe(false);
  });

  it('applies skip / rename / overwrite, never touches an original, honours format and maxSize', async () => {
    const { queue, record } = makeQueue();
    const out = path.join(dir, 'policy');
    await mkdir(out);
    const first = record(() => '');
    queue.start({ items: [{ path: plain[0], adjustments }], options: options(out, { format: 'webp', maxSize: 200 }) });
    await first.done;
    const webp = path.join(out, 'cones-dehazed.webp');
    const m = await sharp(webp).metadata();
    expect(m.format).toBe('webp');
    expect(Math.max(m.width, m.height)).toBe(200);
    const h1 = await sha256(webp);

    const skip = record(() => '');
    queue.start({ items: [{ path: plain[0], adjustments }], options: options(out, { format: 'webp', onExisting: 'skip' }) });
    expect(await skip.done).toMatchObject({ ok: 0, skipped: 1 });
    expect(await sha256(webp)).toBe(h1);

    const rename = record(() => '');
    queue.start({ items: [{ path: plain[0], adjustments }], options: options(out, { format: 'webp', onExisting: 'rename' }) });
    await rename.done;
    const renamed = rename.results[0];
    expect(renamed.status === 'ok' && path.basename(renamed.outPath)).toBe('cones-dehazed (2).webp');

    const over = record(() => '');
    queue.start({ items: [{ path: plain[0], adjustments }], options: options(out, { format: 'webp', onExisting: 'overwrite' }) });
    await over.done;
    expect(over.results[0].status).toBe('ok');
    // Read the bytes: sharp caches by file name and would report the replaced file.
    expect((await sharp(await readFile(webp)).metadata()).width).toBe(512);
    expect(await sha256(webp)).not.toBe(h1);

    // Output into the album itself with an empty suffix: the original is never overwritten.
    const h0 = await sha256(plain[1]);
    const same = record(() => '');
    queue.start({ items: [{ path: plain[1], adjustments }], options: options(album, { suffix: '', onExisting: 'overwrite' }) });
    await same.done;
    expect(await sha256(plain[1])).toBe(h0);
    const r = same.results[0];
    expect(r.status === 'ok' && path.basename(r.outPath)).toBe('swan (2).jpg');
    if (r.status === 'ok') await rm(r.outPath);
  });

  it('overwrite replaces only files Hazeless wrote: an unrelated photo with the output name is skipped', async () => {
    const { queue, record } = makeQueue();
    const scenes = path.join(dir, 'scenes');
    await mkdir(scenes);
    const png = path.join(scenes, 'scene.png');
    const jpg = path.join(scenes, 'scene.jpg');
    await sharp(plain[0]).png().toFile(png);
    await copyFile(plain[1], jpg);
    const before = await sha256(jpg);

    const rec = record(() => '');
    queue.start({ items: [{ path: png, adjustments }], options: options(scenes, { suffix: '', onExisting: 'overwrite' }) });
    expect(await rec.done).toMatchObject({ ok: 0, skipped: 1, failed: 0 });
    expect(await sha256(jpg)).toBe(before);
    const r = rec.results[0];
    expect(r.status === 'skipped' && r.reason).toMatch(/scene\.jpg .*not written by Hazeless/);
  });

  it('cancelling leaves no partial files and stops the job', async () => {
    const { queue, record } = makeQueue({ cancelGraceMs: 5_000, jobs: 1 });
    const out = path.join(dir, 'cancel');
    const big = path.join(album, 'urbino.jpg');
    const rec = record(() => '');
    const items = [big, plain[0], plain[1], plain[2]].map((p) => ({ path: p, adjustments }));
    const jobId = queue.start({ items, options: options(out, { format: 'tiff' }) });
    // Cancel in the middle of the first (largest) photo, once its rendering has begun.
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (rec.progress.some((p) => p.stage === 'render' || p.stage === 'encode')) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    expect(queue.cancel(jobId)).toBe(true);
    const done = await rec.done;
    expect(done.cancelled).toBe(true);
    expect(done.ok).toBe(0);
    expect(rec.results).toHaveLength(1);
    expect(rec.results[0]).toMatchObject({ path: big, status: 'skipped', reason: 'cancelled' });
    const left = (await readdir(out)).filter((n) => n !== OUTPUT_MARKER);
    expect(left).toEqual([]);
    expect(queue.cancel(jobId)).toBe(false);
  });

  it('a worker stopped the hard way (no grace) during encoding leaves no partial files either', async () => {
    const { queue, record } = makeQueue({ cancelGraceMs: 0, jobs: 1 });
    const out = path.join(dir, 'kill');
    const big = path.join(album, 'urbino.jpg');
    const rec = record(() => '');
    const jobId = queue.start({ items: [big, plain[0]].map((p) => ({ path: p, adjustments })), options: options(out, { format: 'png' }) });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (rec.progress.some((p) => p.stage === 'encode')) {
          clearInterval(poll);
          resolve();
        }
      }, 1);
    });
    queue.cancel(jobId);
    const done = await rec.done;
    expect(done.cancelled).toBe(true);
    expect(rec.results[0].path).toBe(big);
    expect(rec.results[0].status).not.toBe('failed');
    // Either the photo was cancelled, or it had already been committed in full before the kill.
    const left = (await readdir(out)).filter((n) => n !== OUTPUT_MARKER);
    for (const name of left) {
      expect(name).toBe('urbino-dehazed.png');
      const m = await sharp(path.join(out, name)).metadata();
      expect([m.width, m.height]).toEqual([2074, 1556]);
      await sharp(path.join(out, name)).raw().toBuffer();
    }
    expect(rec.results.filter((r) => r.status === 'ok').length).toBe(left.length);
  });

  it('two photos at once write byte for byte the files of one at a time, each result once', async () => {
    const items = [...plain, withMeta, corrupt].map((p) => ({ path: p, adjustments }));
    const outs: string[] = [];
    for (const jobs of [1, 2]) {
      const { queue, record } = makeQueue({ jobs });
      const out = path.join(dir, `jobs-${jobs}`);
      outs.push(out);
      const rec = record(() => '');
      queue.start({ items, options: options(out) });
      expect(await rec.done).toMatchObject({ ok: 4, skipped: 0, failed: 1, cancelled: false });
      expect(rec.results.map((r) => r.path).sort()).toEqual(items.map((i) => i.path).sort());
      expect(rec.progress.at(-1)).toMatchObject({ stage: 'done', done: 5, total: 5 });
    }
    const names = (await readdir(outs[0])).filter((n) => n !== OUTPUT_MARKER).sort();
    expect(names).toHaveLength(4);
    expect((await readdir(outs[1])).filter((n) => n !== OUTPUT_MARKER).sort()).toEqual(names);
    for (const n of names) expect({ n, hash: await sha256(path.join(outs[1], n)) }).toEqual({ n, hash: await sha256(path.join(outs[0], n)) });
  });

  it('two photos at once: two with the same output name get two names, not one file twice', async () => {
    const { queue, record } = makeQueue({ jobs: 2 });
    const out = path.join(dir, 'same-name');
    const twin = path.join(dir, 'twin');
    await mkdir(twin, { recursive: true });
    await copyFile(plain[1], path.join(twin, path.basename(plain[0])));
    const rec = record(() => '');
    queue.start({ items: [plain[0], path.join(twin, path.basename(plain[0]))].map((p) => ({ path: p, adjustments })), options: options(out, { onExisting: 'overwrite' }) });
    expect(await rec.done).toMatchObject({ ok: 2, skipped: 0, failed: 0 });
    const written = rec.results.map((r) => (r.status === 'ok' ? path.basename(r.outPath) : '')).sort();
    expect(new Set(written).size).toBe(2);
    expect((await readdir(out)).filter((n) => n !== OUTPUT_MARKER).sort()).toEqual(written);
  });

  it('cancelling two photos at once leaves no partial file, and each photo is reported once', async () => {
    const { queue, record } = makeQueue({ jobs: 2, cancelGraceMs: 5_000 });
    const out = path.join(dir, 'cancel-two');
    const big = path.join(album, 'urbino.jpg');
    const big2 = path.join(dir, 'urbino-2.jpg');
    await copyFile(big, big2);
    const rec = record(() => '');
    const items = [big, big2, plain[0], plain[1]].map((p) => ({ path: p, adjustments }));
    const jobId = queue.start({ items, options: options(out, { format: 'tiff' }) });
    await new Promise<void>((resolve) => {
      const poll = setInterval(() => {
        if (rec.progress.filter((p) => p.stage === 'render').length >= 2) {
          clearInterval(poll);
          resolve();
        }
      }, 5);
    });
    queue.cancel(jobId);
    const done = await rec.done;
    expect(done.cancelled).toBe(true);
    expect(rec.results.filter((r) => r.status === 'skipped' && r.reason === 'cancelled').length).toBeGreaterThanOrEqual(1);
    expect(done.ok + done.skipped + done.failed).toBe(rec.results.length);
    expect(new Set(rec.results.map((r) => r.path)).size).toBe(rec.results.length);
    // Only whole photos: one file per photo reported written, nothing hidden or partial.
    const left = (await readdir(out)).filter((n) => n !== OUTPUT_MARKER).sort();
    expect(left).toEqual(rec.results.flatMap((r) => (r.status === 'ok' ? [path.basename(r.outPath)] : [])).sort());
    for (const name of left) await sharp(path.join(out, name)).raw().toBuffer();
  });

  it('a cancel that comes while a photo\'s worker is being set up writes nothing for it', async () => {
    const out = path.join(dir, 'cancel-at-setup');
    let jobId = '';
    let resolveDone: (d: ExportDone) => void = () => {};
    const done = new Promise<ExportDone>((resolve) => (resolveDone = resolve));
    const results: ExportFileResult[] = [];
    const queue = new ExportQueue({
      workerEntry: PHOTO_WORKER_SOURCE,
      // The user cancels just as the job looks up its model, before the photo reaches a worker.
      manifestPath: async () => {
        queue.cancel(jobId);
        return (await locateModel({ isPackaged: false, resourcesPath: '', appPath: process.cwd() })).manifestPath;
      },
      jobs: 1,
      events: { progress: () => {}, fileResult: (r) => results.push(r), done: (d) => resolveDone(d) },
    });
    jobId = queue.start({ items: [{ path: plain[0], adjustments }], options: options(out) });
    expect(await done).toMatchObject({ ok: 0, skipped: 1, failed: 0, cancelled: true });
    expect(results).toEqual([expect.objectContaining({ path: plain[0], status: 'skipped', reason: 'cancelled' })]);
    expect(await readdir(out)).toEqual([OUTPUT_MARKER]);
  });

  it('a failed photo leaves alone another writer\'s temporary file for the same output name', async () => {
    const { queue, record } = makeQueue({ jobs: 1 });
    const out = path.join(dir, 'foreign-temp');
    await mkdir(out, { recursive: true });
    // A hazeless run (or another job) writing corrupt-dehazed.jpg into this folder right now.
    const theirs = path.join(out, '.corrupt-dehazed.0123abcd.partial.jpg');
    await writeFile(theirs, 'half of someone else\'s photo');
    const rec = record(() => '');
    queue.start({ items: [{ path: corrupt, adjustments }], options: options(out) });
    expect(await rec.done).toMatchObject({ ok: 0, skipped: 0, failed: 1 });
    expect(await readFile(theirs, 'utf8')).toBe('half of someone else\'s photo');
  });

  it('a file that appears at the output name once the job has started is skipped, as one found at the start', async () => {
    // Someone else's photo, and an earlier Hazeless export, each saved under the output name
    // just as the job sets up its worker (after it has looked at the folder).
    const earlier = path.join(dir, 'earlier');
    const first = makeQueue();
    const rec0 = first.record(() => '');
    first.queue.start({ items: [{ path: plain[0], adjustments }], options: options(earlier) });
    expect(await rec0.done).toMatchObject({ ok: 1 });
    const cases = [
      { name: 'foreign', file: plain[2], onExisting: 'overwrite' as const, reason: 'cones-dehazed.jpg was not written by Hazeless; not replaced' },
      { name: 'ours', file: path.join(earlier, 'cones-dehazed.jpg'), onExisting: 'rename' as const, reason: 'cones-dehazed.jpg already exists' },
    ];
    for (const c of cases) {
      const out = path.join(dir, `appears-${c.name}`);
      const target = path.join(out, 'cones-dehazed.jpg');
      const results: ExportFileResult[] = [];
      let resolveDone: (d: ExportDone) => void = () => {};
      const done = new Promise<ExportDone>((resolve) => (resolveDone = resolve));
      const queue = new ExportQueue({
        workerEntry: PHOTO_WORKER_SOURCE,
        manifestPath: async () => {
          await copyFile(c.file, target);
          return (await locateModel({ isPackaged: false, resourcesPath: '', appPath: process.cwd() })).manifestPath;
        },
        jobs: 1,
        events: { progress: () => {}, fileResult: (r) => results.push(r), done: (d) => resolveDone(d) },
      });
      queue.start({ items: [{ path: plain[0], adjustments }], options: options(out, { onExisting: c.onExisting }) });
      expect(await done, c.name).toMatchObject({ ok: 0, skipped: 1, failed: 0 });
      expect(results, c.name).toEqual([{ jobId: expect.any(String), path: plain[0], status: 'skipped', reason: c.reason }]);
      expect(await sha256(target), c.name).toBe(await sha256(c.file));
    }
  });

  it('keeps a photo thread loaded for the next job: the job takes it, another is loaded after it, shutdown stops it', async () => {
    const until = async (what: string, ok: () => boolean): Promise<void> => {
      for (let waited = 0; !ok(); waited += 10) {
        if (waited > 10_000) throw new Error(`never: ${what}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const { queue, record } = makeQueue({ spareThreads: 1, spareThreadsDelayMs: 10 });
    await until('a thread loaded once the queue is made', () => spareThreads(PHOTO_WORKER_SOURCE) === 1);
    const rec = record(() => '');
    const sparesWhenStarted: number[] = [];
    const out = path.join(album, 'Spare');
    queue.start({ items: [{ path: plain[1], adjustments }], options: options(out) });
    // Once the photo is under way (its lane has a thread), the queue has no spare left: the job took it.
    const watch = setInterval(() => {
      if (rec.progress.some((p) => p.stage === 'decode')) sparesWhenStarted.push(spareThreads(PHOTO_WORKER_SOURCE));
    }, 1);
    const done = await rec.done;
    clearInterval(watch);
    expect(done).toMatchObject({ ok: 1, failed: 0 });
    expect(sparesWhenStarted[0]).toBe(0);
    await until('another loaded after the job', () => spareThreads(PHOTO_WORKER_SOURCE) === 1);
    await queue.shutdown();
    expect(spareThreads(PHOTO_WORKER_SOURCE)).toBe(0);
  });

  it('recognises only safe-write temp names as leftovers', () => {
    expect(isTempName('.a-dehazed.0123abcd.partial.jpg', 'a-dehazed.jpg')).toBe(true);
    expect(isTempName('a-dehazed.jpg', 'a-dehazed.jpg')).toBe(false);
    expect(isTempName('.a-dehazed.0123abcd.partial.jpg', 'b-dehazed.jpg')).toBe(false);
    expect(isTempName('.a-dehazed.zzzz.partial.jpg', 'a-dehazed.jpg')).toBe(false);
  });
});
