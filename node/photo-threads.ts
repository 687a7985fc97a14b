/**
 * The threads that worker lanes (node/photo-lanes.ts) run in, and threads started ahead of need.
 *
 * A photo thread takes about 200 ms to load sharp, onnxruntime and the engine. The command line
 * starts the threads an album will need before it loads those modules itself (bin/hazeless.js,
 * cli/prestart.ts), so that they load on the cores its own loading leaves idle; the desktop app's
 * export queue keeps one loaded between jobs (electron/export-jobs.ts). A lane then takes one of
 * them instead of starting its own. This module loads nothing heavy, so that starting them comes
 * first.
 *
 * A thread knows nothing of its batch until its lane sends the setup (photo-lanes.ts); a thread
 * started ahead and never taken does not keep the process alive, and is stopped by
 * `stopSpareThreads` as soon as the batch knows it will not need it.
 */
// Before any photo thread starts (a thread's environment is a copy of this one's): onnxruntime keeps no telemetry.
import '../engine/onnxruntime-offline';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';

/** A thread started ahead of need, and whether it has ended (it failed to load) before use. */
interface Spare {
  entry: string;
  worker: Worker;
  ended: boolean;
}

const spares: Spare[] = [];

/**
 * A new photo thread on `entry`: node/photo-worker.ts through tsx's require hook (the command line
 * runs the TypeScript sources), or a bundle built from it (the desktop app's
 * out/main/photo-worker.js). tsx's require hook works in the thread itself; its import hooks
 * would start a loader thread per worker, which takes twice the time and CPU (docs/performance.md).
 */
function startThread(entry: URL): Worker {
  if (entry.pathname.endsWith('.ts')) {
    const tsx = createRequire(import.meta.url).resolve('tsx/cjs/api');
    const code = `require(${JSON.stringify(tsx)}).register(); require(${JSON.stringify(fileURLToPath(entry))});`;
    return new Worker(code, { eval: true });
  }
  return new Worker(entry);
}

/** Starts `count` photo threads on `entry` now, for lanes to take later (takePhotoThread). */
export function prestartPhotoThreads(count: number, entry: URL): void {
  for (let i = 0; i < count; i++) {
    const spare: Spare = { entry: entry.href, worker: startThread(entry), ended: false };
    // Until a lane takes it, it neither keeps the process alive nor goes unnoticed if it ends.
    spare.worker.unref();
    spare.worker.once('exit', () => {
      spare.ended = true;
      // Not taken: it leaves the list (a lane that took it has its own watch on its exit).
      const at = spares.indexOf(spare);
      if (at >= 0) spares.splice(at, 1);
    });
    spare.worker.on('error', () => {});
    spares.push(spare);
  }
}

/** Starts photo threads on `entry` until `count` started ahead and not taken are alive. */
export function keepSpareThreads(count: number, entry: URL): void {
  prestartPhotoThreads(Math.max(0, count - spareThreads(entry)), entry);
}

/** Threads started ahead on `entry`, alive and not taken. */
export function spareThreads(entry: URL): number {
  return spares.filter((s) => s.entry === entry.href && !s.ended).length;
}

/** A photo thread on `entry`: one started ahead (still alive) if there is one, else a new one. */
export function takePhotoThread(entry: URL): Worker {
  for (let i = 0; i < spares.length; i++) {
    const spare = spares[i];
    if (spare.entry !== entry.href || spare.ended) continue;
    spares.splice(i, 1);
    spare.worker.ref();
    return spare.worker;
  }
  return startThread(entry);
}

/**
 * Stops the threads started ahead that no lane took but `keep` of them: a batch that turned out
 * to need fewer lanes than were started (some files were no photos, or were written by Hazeless),
 * or that has started its last photo (keep 0).
 */
export async function stopSpareThreads(keep = 0): Promise<void> {
  const left = spares.splice(Math.max(0, keep));
  await Promise.all(left.map((s) => s.worker.terminate()));
}
