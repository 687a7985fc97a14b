// The real export worker module (electron/export-worker.ts) in a worker thread, compiled on the
// fly by tsx; the app runs the built out/main/export-worker.js instead.
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { WorkerSetup } from '../../electron/export-protocol';

const WORKER = pathToFileURL(path.resolve('electron/export-worker.ts')).href;
const PARENT = pathToFileURL(path.resolve('package.json')).href;

export function tsExportWorker(setup: WorkerSetup): Worker {
  const code = `import('tsx/esm/api').then(({ tsImport }) => tsImport(${JSON.stringify(WORKER)}, ${JSON.stringify(PARENT)}))`;
  return new Worker(code, { eval: true, workerData: setup });
}
