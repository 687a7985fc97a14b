import { rm } from 'node:fs/promises';
import * as engineAbort from '../engine/abort';
import type { Adjustments, InferenceBackend, Progress } from '../engine/types';
import { dehazeFile, type DehazeFileResult } from './dehaze-file';
import type { ImageFormat } from '../common/formats/index';
import * as imageIo from './image-io';
import { takePhotoThread } from './photo-threads';
import type { ModelFiles } from './model-files';
import * as safeWrite from './safe-write';

/**
 * Where a batch's photos are dehazed: lanes that each run one photo at a time through
 * node/dehaze-file.ts, either on this thread (with the batch's own network session) or in a
 * worker thread of their own (node/photo-worker.ts), so that several photos use several cores.
 */

/** One photo's export, as plain data (it crosses to worker threads). */
export interface PhotoTask {
  input: string;
  output: string;
  format?: ImageFormat;
  quality?: number;
  maxSize?: number;
  overwrite: boolean;
  adjustments: Adjustments;
}

export interface PhotoLane {
  /** Rejects with the errors dehazeFile throws (OutputExistsError, ImageReadError, AbortError, ...). */
  run(task: PhotoTask, signal: AbortSignal, onProgress: (p: Progress) => void): Promise<DehazeFileResult>;
  /**
   * Ends the lane now; a photo in flight stops where it is and its temporary file is removed
   * (the worker's exit hook, node/safe-write.ts, runs as its thread exits; a thread that has to
   * be terminated cannot run it, and the lane removes the file itself).
   */
  close(): Promise<void>;
  /** The lane can run nothing more (its thread crashed or was closed): make a new one. */
  readonly ended: boolean;
}

/** What a worker lane's thread is told first (its 'setup' message): the batch it works for. */
export interface PhotoWorkerSetup {
  manifestPath: string;
  /** Files never to be written over (the batch's inputs). */
  protect: string[];
  /** onnxruntime intra-op threads. */
  threads: number;
}

export type ToPhotoWorker =
  | { type: 'setup'; setup: PhotoWorkerSetup }
  | { type: 'run'; id: number; task: PhotoTask }
  | { type: 'abort'; id: number }
  | { type: 'exit' };

/** An error as it crosses threads: its class, name, message and own fields (output, reason, code...). */
export interface PlainError {
  cls: string;
  name: string;
  message: string;
  fields: Record<string, string | number | boolean>;
}

export type FromPhotoWorker =
  | { type: 'ready' }
  | { type: 'failed-to-start'; error: PlainError }
  | { type: 'progress'; id: number; progress: Progress }
  /** The temporary file the photo is being written to (removed by the lane if the thread dies). */
  | { type: 'temp'; id: number; path: string }
  | { type: 'done'; id: number; result: DehazeFileResult }
  | { type: 'error'; id: number; error: PlainError };

/**
 * The error classes a photo's export throws and callers tell apart (instanceof): every Error
 * class that the modules dehaze-file.ts reports through export, by class name.
 */
const ERROR_CLASSES = new Map<string, new (...args: never[]) => Error>(
  [engineAbort, imageIo, safeWrite].flatMap((module) =>
    Object.values(module)
      .filter((v): v is new (...args: never[]) => Error => typeof v === 'function' && v.prototype instanceof Error)
      .map((cls) => [cls.name, cls] as const),
  ),
);

export function toPlainError(e: unknown): PlainError {
  if (!(e instanceof Error)) return { cls: 'Error', name: 'Error', message: String(e), fields: {} };
  const fields: PlainError['fields'] = {};
  for (const [k, v] of Object.entries(e)) {
    if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') fields[k] = v;
  }
  return { cls: e.constructor.name, name: e.name, message: e.message, fields };
}

/**
 * The error again, of its own class where that is one of ERROR_CLASSES (else a plain Error),
 * with its name: Node's and the DOM's abort errors are told apart by name ("AbortError").
 */
export function fromPlainError(p: PlainError): Error {
  const cls = ERROR_CLASSES.get(p.cls);
  const e: Error = cls ? (Object.create(cls.prototype) as Error) : new Error(p.message);
  Object.assign(e, p.fields);
  e.message = p.message;
  e.name = p.name;
  return e;
}

/**
 * A lane on the calling thread, with a network session the caller owns, asked for once each photo
 * is decoded (dehazeFile's `backend`). A session that failed to load fails each photo with its
 * error, as a worker lane's does.
 */
export function inProcessLane(backend: () => Promise<InferenceBackend>, model: ModelFiles, protect: safeWrite.ProtectedFiles): PhotoLane {
  return {
    run: async (task, signal, onProgress) => dehazeFile({ ...task, backend, manifest: model.manifest, protect, signal, onProgress }),
    close: async () => {},
    ended: false,
  };
}

export interface WorkerLaneOptions {
  /**
   * The worker thread's module: node/photo-worker.ts, run through tsx's require hook (the
   * command line runs the TypeScript sources), or the file a bundle built from it (the desktop
   * app's out/main/photo-worker.js). The caller names it: only it knows how it was built.
   */
  entry: URL;
  /**
   * After a photo is aborted, how long it may take to stop before its thread is terminated (a
   * photo stuck in native code never sees the abort). Default: it is waited for.
   */
  abortGraceMs?: number;
}

/**
 * A lane in a worker thread of its own: one started ahead of need (node/photo-threads.ts), else
 * one started now, so that it warms up while others work. It runs one photo at a time: several in
 * flight share the thread's fate when it is terminated.
 */
export function workerLane(setup: PhotoWorkerSetup, options: WorkerLaneOptions): PhotoLane {
  const worker = takePhotoThread(options.entry);
  let nextId = 0;
  let gone: Error | null = null;
  /** The lane terminated the thread: an aborted photo outlived its grace. */
  let stopped = false;
  const pending = new Map<number, { resolve: (r: DehazeFileResult) => void; reject: (e: Error) => void; onProgress: (p: Progress) => void }>();
  /** The temporary file of each photo in flight whose write has begun. */
  const temps = new Map<number, string>();

  const fail = (e: Error): void => {
    gone ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  // A thread that ends mid-write (terminated, crashed) leaves its temporary file: it goes before
  // the photo is reported, so that every output is whole or absent once its photo has settled.
  const exited = new Promise<void>((resolve) =>
    worker.once('exit', (code) => {
      gone ??= new Error(`export thread exited (code ${code})`);
      const error = stopped ? new engineAbort.AbortError('the export thread was stopped') : gone;
      // Still on this thread's exit list (registered as each write began): removed now, and again at exit.
      const leftovers = [...temps.values()];
      temps.clear();
      void Promise.all(leftovers.map((t) => rm(t, { force: true }).catch(() => {}))).then(() => {
        fail(error);
        resolve();
      });
    }),
  );
  worker.on('message', (m: FromPhotoWorker) => {
    if (m.type === 'ready') return;
    if (m.type === 'failed-to-start') {
      fail(fromPlainError(m.error));
      // The lane is replaced by a new one; this thread would otherwise keep the process alive.
      worker.postMessage({ type: 'exit' } satisfies ToPhotoWorker);
      return;
    }
    const p = pending.get(m.id);
    if (!p) return;
    if (m.type === 'progress') {
      p.onProgress(m.progress);
      return;
    }
    if (m.type === 'temp') {
      temps.set(m.id, m.path);
      // On this thread's list too: a process that leaves at once (cli/main.ts) removes it.
      safeWrite.removeAtExit(m.path);
      return;
    }
    // Settled: the photo's own write has renamed or removed its temporary file.
    const tmp = temps.get(m.id);
    if (tmp !== undefined) safeWrite.forgetTemp(tmp);
    temps.delete(m.id);
    pending.delete(m.id);
    if (m.type === 'done') p.resolve(m.result);
    else p.reject(fromPlainError(m.error));
  });
  // The photos in flight are failed once the thread has exited (above), after their clean-up.
  worker.on('error', (e) => {
    gone ??= new Error(`export thread crashed: ${e.message}`);
  });
  worker.postMessage({ type: 'setup', setup } satisfies ToPhotoWorker);

  return {
    run(task, signal, onProgress) {
      if (gone) return Promise.reject(gone);
      if (signal.aborted) return Promise.reject(new engineAbort.AbortError());
      const id = nextId++;
      return new Promise<DehazeFileResult>((resolve, reject) => {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const onAbort = (): void => {
          worker.postMessage({ type: 'abort', id } satisfies ToPhotoWorker);
          const grace = options.abortGraceMs;
          if (grace !== undefined) {
            timer = setTimeout(() => {
              stopped = true;
              void worker.terminate();
            }, grace);
          }
        };
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = <A>(f: (a: A) => void) => (a: A): void => {
          signal.removeEventListener('abort', onAbort);
          clearTimeout(timer);
          f(a);
        };
        pending.set(id, { resolve: settle(resolve), reject: settle(reject), onProgress });
        worker.postMessage({ type: 'run', id, task } satisfies ToPhotoWorker);
      });
    },
    async close() {
      if (gone === null) {
        // A photo still in flight ends unwritten, as if aborted: that is what happens to it.
        fail(new engineAbort.AbortError('the export thread was closed'));
        worker.postMessage({ type: 'exit' } satisfies ToPhotoWorker);
      }
      // A thread stuck in native code cannot read the message: stop it after a moment.
      const timer = setTimeout(() => void worker.terminate(), 2000);
      await exited;
      clearTimeout(timer);
    },
    get ended() {
      return gone !== null;
    },
  };
}
