// The export queue of the desktop app. Jobs run one after another; a job dehazes several photos
// at once (as many as node/concurrency.ts allows: one per core, while memory allows), each on a
// worker lane of node/photo-lanes.ts (a worker_threads thread running node/dehaze-file.ts, as the
// command line's), so the main process never blocks. A failed photo is reported with its reason
// and the job goes on. Cancelling aborts the photos in flight, and terminates a thread whose photo
// has not stopped after a grace period: outputs are written through a temp file + rename, and the
// lane removes the temp file of a thread it terminates, so a cancelled or crashed photo leaves
// nothing half-written behind.

import { randomUUID } from 'node:crypto';
import { mkdir, readdir, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { isAbortError } from '../engine/abort';
import type { Progress } from '../engine/types';
import { machineFigures, photoBytes, planConcurrency } from '../node/concurrency';
import { cleanSharpMessage } from '../node/image-io';
import { readPhotoHeader } from '../node/photo-header';
import { workerLane, type PhotoLane, type PhotoTask } from '../node/photo-lanes';
import { keepSpareThreads, stopSpareThreads } from '../node/photo-threads';
import { runPool } from '../node/photo-pool';
import { ForeignFileError, OutputExistsError } from '../node/safe-write';
import { nameKey } from '../node/same-name';
import { alreadyExists, outputName } from '../common/export-naming';
import { BatchEta, photoFraction } from '../common/eta';
import type { ExportDone, ExportFileResult, ExportItem, ExportOptions, ExportProgress, ExportStage } from '../common/contract';
import { OUTPUT_MARKER } from './library';

export interface ExportEvents {
  progress(p: ExportProgress): void;
  fileResult(r: ExportFileResult): void;
  done(d: ExportDone): void;
}

export interface ExportQueueOptions {
  /**
   * The photo worker's module (node/photo-lanes.ts WorkerLaneOptions.entry): the bundle's
   * out/main/photo-worker.js in the app, node/photo-worker.ts through tsx in tests.
   */
  workerEntry: URL;
  /** The model manifest to export with (looked up when a job starts). */
  manifestPath: () => Promise<string>;
  /** onnxruntime threads per worker; default 1 (the network is small, the UI needs the cores). */
  threads?: number;
  /** Photos exported at once; default 0: automatic (node/concurrency.ts). */
  jobs?: number;
  events: ExportEvents;
  /** After a cancel, how long a photo may take to stop before its worker is terminated. */
  cancelGraceMs?: number;
  /** Minimum interval between in-file progress events (stage changes always go out). */
  progressIntervalMs?: number;
  /**
   * Photo threads kept loaded for the next job (node/photo-threads.ts): started a while after the
   * queue is made and again after each job, so that an export starts without waiting for one to
   * load sharp, onnxruntime and the engine. Default 0.
   */
  spareThreads?: number;
  /** How long after the queue is made its spare threads start (the app's own start comes first). */
  spareThreadsDelayMs?: number;
  now?: () => number;
}

/** A request whose paths main has already checked against the path guard (real paths). */
export interface CheckedExport {
  items: ExportItem[];
  options: ExportOptions;
}

interface Job {
  id: string;
  request: CheckedExport;
  cancelled: boolean;
  cancel?: () => void;
}

/** Why a photo is skipped when its output name holds a file Hazeless did not write. */
const notOurs = (name: string): string => `${name} was not written by Hazeless; not replaced`;

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

/** The export's name for an engine stage (the network's stages are all 'estimate'). */
function exportStage(engineStage: string): ExportStage {
  if (engineStage === 'decode' || engineStage === 'encode' || engineStage === 'render') return engineStage;
  return 'estimate';
}

/** Names as the file system compares them (case folded on macOS and Windows). */
const fold = (name: string): string => nameKey(name);

export class ExportQueue {
  private readonly queue: Job[] = [];
  private running: Job | null = null;
  private readonly opts: Required<ExportQueueOptions>;
  private readonly warmUp: ReturnType<typeof setTimeout> | null = null;
  private closed = false;

  constructor(options: ExportQueueOptions) {
    this.opts = { cancelGraceMs: 10_000, progressIntervalMs: 100, now: () => performance.now(), threads: 1, jobs: 0, spareThreads: 0, spareThreadsDelayMs: 5_000, ...options };
    if (this.opts.spareThreads > 0) {
      this.warmUp = setTimeout(() => this.keepThreadsLoaded(), this.opts.spareThreadsDelayMs);
      this.warmUp.unref();
    }
  }

  start(request: CheckedExport): string {
    const job: Job = { id: randomUUID(), request, cancelled: false };
    this.queue.push(job);
    void this.pump();
    return job.id;
  }

  cancel(jobId: string): boolean {
    const queued = this.queue.findIndex((j) => j.id === jobId);
    if (queued >= 0) {
      const [job] = this.queue.splice(queued, 1);
      this.opts.events.done({ jobId, ok: 0, skipped: 0, failed: 0, cancelled: true, outFolder: job.request.options.outFolder });
      return true;
    }
    if (this.running?.id === jobId && !this.running.cancelled) {
      this.running.cancelled = true;
      this.running.cancel?.();
      return true;
    }
    return false;
  }

  /** Cancels everything (app quit) and resolves once the running job and the spare threads have stopped. */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.warmUp !== null) clearTimeout(this.warmUp);
    for (const job of [...this.queue]) this.cancel(job.id);
    if (this.running) {
      const id = this.running.id;
      this.cancel(id);
      while (this.running?.id === id) await new Promise((r) => setTimeout(r, 20));
    }
    await stopSpareThreads();
  }

  private keepThreadsLoaded(): void {
    if (!this.closed && this.opts.spareThreads > 0) keepSpareThreads(this.opts.spareThreads, this.opts.workerEntry);
  }

  get busy(): boolean {
    return this.running !== null || this.queue.length > 0;
  }

  private async pump(): Promise<void> {
    if (this.running) return;
    const job = this.queue.shift();
    if (!job) return;
    this.running = job;
    try {
      await this.run(job);
    } finally {
      this.running = null;
      this.keepThreadsLoaded();
      void this.pump();
    }
  }

  private async run(job: Job): Promise<void> {
    const { items, options } = job.request;
    const { events, now } = this.opts;
    const counts = { ok: 0, skipped: 0, failed: 0 };
    const total = items.length;
    let done = 0;
    const plan = planConcurrency(machineFigures(), { photos: total, jobs: this.opts.jobs || undefined });
    // The time left, from the pixels done over all lanes (common/eta.ts); each photo's size
    // comes from its header, read when it is next in line.
    const eta = new BatchEta(total, now);
    const emitProgress = (stage: ExportStage, file: string | null, fileDone: number, fileTotal: number): void => {
      events.progress({ jobId: job.id, done, total, stage, file, fileDone, fileTotal, etaSeconds: eta.secondsLeft() });
    };
    const result = (r: ExportFileResult): void => {
      done++;
      if (r.status === 'ok') counts.ok++;
      else if (r.status === 'skipped') counts.skipped++;
      else counts.failed++;
      events.fileResult(r);
    };

    let outFolderReady = false;
    try {
      await this.prepareOutFolder(options.outFolder);
      outFolderReady = true;
    } catch (e) {
      const reason = `output folder: ${errorText(e)}`;
      for (const item of items) result({ jobId: job.id, path: item.path, status: 'failed', reason });
    }

    if (outFolderReady) {
      const taken = new Set((await readdir(options.outFolder).catch(() => [] as string[])).map(fold));
      const originals = new Set(items.map((i) => fold(path.resolve(i.path))));
      // Names given to photos of this job (written or in flight): never given twice.
      const claimed = new Set<string>();
      // One worker lane per pool lane, started when it is first used (again, if its thread died).
      const lanes: PhotoLane[] = [];
      const abort = new AbortController();
      job.cancel = () => abort.abort();
      emitProgress('queued', null, 0, 0);
      const exportOne = async (index: number, laneIndex: number): Promise<void> => {
        const item = items[index];
        const isOriginal = (name: string): boolean => originals.has(fold(path.join(options.outFolder, name)));
        const isTaken = (name: string): boolean => isOriginal(name) || taken.has(fold(name)) || claimed.has(fold(name));
        let decision = outputName(path.basename(item.path), options.suffix, options.format, options.onExisting, isTaken);
        // 'overwrite' never applies to a photo of the job itself nor to another photo's output
        // in this job: pick a free name instead.
        if (decision.action === 'write' && (isOriginal(decision.name) || claimed.has(fold(decision.name)))) {
          decision = outputName(path.basename(item.path), options.suffix, options.format, 'rename', isTaken);
        }
        if (decision.action === 'skip') {
          eta.drop(index);
          result({ jobId: job.id, path: item.path, status: 'skipped', reason: decision.reason });
          return;
        }
        const output = path.join(options.outFolder, decision.name);
        claimed.add(fold(decision.name));
        let lane = lanes[laneIndex];
        if (lane === undefined || lane.ended) {
          try {
            const setup = {
              manifestPath: await this.opts.manifestPath(),
              protect: items.map((i) => i.path),
              threads: Math.min(this.opts.threads, plan.threadsPerPhoto),
            };
            lane = lanes[laneIndex] = workerLane(setup, { entry: this.opts.workerEntry, abortGraceMs: this.opts.cancelGraceMs });
          } catch (e) {
            eta.fail(index);
            result({ jobId: job.id, path: item.path, status: 'failed', reason: `cannot start export: ${errorText(e)}` });
            return;
          }
        }
        // A cancel that came during the awaits above: the photo is not started.
        if (job.cancelled) {
          eta.drop(index);
          result({ jobId: job.id, path: item.path, status: 'skipped', reason: 'cancelled' });
          return;
        }
        const fileStart = now();
        let lastEmit = 0;
        let lastStage: ExportStage | null = null;
        emitProgress('decode', item.path, 0, 1);
        const task: PhotoTask = {
          input: item.path,
          output,
          adjustments: item.adjustments,
          format: options.format,
          quality: options.quality,
          maxSize: options.maxSize ?? undefined,
          overwrite: options.onExisting === 'overwrite',
        };
        const onProgress = (p: Progress): void => {
          eta.progress(index, photoFraction(p.stage, p.done, p.total));
          const t = now();
          const stage = exportStage(p.stage);
          if (stage !== lastStage || t - lastEmit >= this.opts.progressIntervalMs) {
            lastStage = stage;
            lastEmit = t;
            emitProgress(stage, item.path, p.done, p.total);
          }
        };
        try {
          const written = await lane.run(task, abort.signal, onProgress);
          const ms = now() - fileStart;
          eta.finish(index);
          taken.add(fold(decision.name));
          result({ jobId: job.id, path: item.path, status: 'ok', outPath: written.output, ms });
        } catch (error) {
          // The lane has removed any temporary file of the photo (node/safe-write.ts, or the
          // lane itself for a thread it terminated).
          eta.fail(index);
          if (isAbortError(error) || job.cancelled) {
            result({ jobId: job.id, path: item.path, status: 'skipped', reason: 'cancelled' });
          } else if (error instanceof ForeignFileError || error instanceof OutputExistsError) {
            // The file appeared at the output name while the job ran (another program, a
            // hazeless run): the same outcome as finding it there at the start.
            const reason = error instanceof ForeignFileError ? notOurs(decision.name) : alreadyExists(decision.name);
            result({ jobId: job.id, path: item.path, status: 'skipped', reason });
          } else {
            result({ jobId: job.id, path: item.path, status: 'failed', reason: cleanSharpMessage(error) });
          }
        }
      };
      try {
        await runPool(
          items.map((_, i) => i),
          {
            plan,
            // The memory a photo needs, from its header; an unreadable one fails in its worker.
            bytes: async (i) =>
              readPhotoHeader(items[i].path).then((header) => {
                eta.setPixels(i, header.width * header.height);
                return photoBytes(header, options.format);
              }, () => 0),
            mayStart: () => !job.cancelled,
            run: exportOne,
          },
        );
      } finally {
        await Promise.all(lanes.map((l) => l.close()));
      }
    }
    emitProgress('done', null, 0, 0);
    events.done({ jobId: job.id, ...counts, cancelled: job.cancelled, outFolder: options.outFolder });
  }

  /** Creates the output folder if needed and marks folders we created so albums skip them. */
  private async prepareOutFolder(folder: string): Promise<void> {
    let existed = true;
    try {
      if (!(await stat(folder)).isDirectory()) throw new Error('not a folder');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      existed = false;
    }
    if (!existed) {
      await mkdir(folder, { recursive: true });
      await writeFile(path.join(folder, OUTPUT_MARKER), 'Photos exported by Hazeless.\n');
    }
  }
}
