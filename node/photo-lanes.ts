import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import * as engineAbort from '../engine/abort';
import type { Adjustments, InferenceBackend, Progress } from '../engine/types';
import { dehazeFile, type DehazeFileResult } from './dehaze-file';
import type { ImageFormat } from '../common/formats/index';
import * as imageIo from './image-io';
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
   * (the worker's exit hook, node/safe-write.ts, runs as its thread exits).
   */
  close(): Promise<void>;
  /** The lane can run nothing more (its thread crashed or was closed): make a new one. */
  readonly ended: boolean;
}

/** What a worker lane starts with. */
export interface PhotoWorkerSetup {
  manifestPath: string;
  /** Files never to be written over (the batch's inputs). */
  protect: string[];
  /** onnxruntime intra-op threads. */
  threads: number;
}

export type ToPhotoWorker = { type: 'run'; id: number; task: PhotoTask } | { type: 'abort'; id: number } | { type: 'exit' };

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
 * A lane on the calling thread, with a network session the caller owns. A session that failed to
 * load fails each photo with its error, as a worker lane's does.
 */
export function inProcessLane(backend: Promise<InferenceBackend>, model: ModelFiles, protect: safeWrite.ProtectedFiles): PhotoLane {
  return {
    run: async (task, signal, onProgress) =>
      dehazeFile({ ...task, backend: await backend, manifest: model.manifest, protect, signal, onProgress }),
    close: async () => {},
    ended: false,
  };
}

/**
 * The worker thread's module: under tsx (the command line runs the TypeScript sources) the .ts
 * file through tsx's require hook, else the built .js next to this module. The require hook
 * works in the thread itself; tsx's import hooks would start a loader thread per worker, which
 * takes twice the time and CPU (docs/performance.md).
 */
function startWorker(setup: PhotoWorkerSetup): Worker {
  const here = import.meta.url;
  if (here.endsWith('.ts')) {
    const entry = fileURLToPath(new URL('./photo-worker.ts', here));
    const tsx = createRequire(here).resolve('tsx/cjs/api');
    const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(entry)});`;
    return new Worker(code, { eval: true, workerData: setup });
  }
  return new Worker(fileURLToPath(new URL('./photo-worker.js', here)), { workerData: setup });
}

/** A lane in a worker thread of its own (started at once, so it warms up while others work). */
export function workerLane(setup: PhotoWorkerSetup): PhotoLane {
  const worker = startWorker(setup);
  let nextId = 0;
  let gone: Error | null = null;
  const pending = new Map<number, { resolve: (r: DehazeFileResult) => void; reject: (e: Error) => void; onProgress: (p: Progress) => void }>();
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));

  const fail = (e: Error): void => {
    gone ??= e;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
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
    pending.delete(m.id);
    if (m.type === 'done') p.resolve(m.result);
    else p.reject(fromPlainError(m.error));
  });
  worker.on('error', (e) => fail(new Error(`export thread crashed: ${e.message}`)));
  worker.on('exit', (code) => fail(new Error(`export thread exited (code ${code})`)));

  return {
    run(task, signal, onProgress) {
      if (gone) return Promise.reject(gone);
      if (signal.aborted) return Promise.reject(new engineAbort.AbortError());
      const id = nextId++;
      return new Promise<DehazeFileResult>((resolve, reject) => {
        const onAbort = (): void => worker.postMessage({ type: 'abort', id } satisfies ToPhotoWorker);
        signal.addEventListener('abort', onAbort, { once: true });
        const settle = <A>(f: (a: A) => void) => (a: A): void => {
          signal.removeEventListener('abort', onAbort);
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
