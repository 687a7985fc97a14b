// Worker thread of a worker lane (node/photo-lanes.ts): loads its modules as it starts (perhaps
// ahead of need, node/photo-threads.ts), its model once its lane's 'setup' comes, then dehazes the
// photos it is sent, one at a time, with node/dehaze-file.ts. 'abort' stops a photo (its temporary
// file is removed); 'exit' ends the thread, whose exit hook removes any temporary file left. Each
// photo's temporary file is reported ('temp') so that the lane can remove it should it have to
// terminate the thread. The command line runs this file through tsx, the desktop app the bundle
// electron-vite builds from it (out/main/photo-worker.js).

import { parentPort } from 'node:worker_threads';
import { createNodeBackend } from '../engine/backend-node';
import { dehazeFile } from './dehaze-file';
import { loadModelFiles } from './model-files';
import { toPlainError, type FromPhotoWorker, type PhotoWorkerSetup, type ToPhotoWorker } from './photo-lanes';
import { ProtectedFiles } from './safe-write';

const port = parentPort;
if (!port) throw new Error('photo-worker must run in a worker thread');
const send = (m: FromPhotoWorker): void => port.postMessage(m);

/** The thread's batch: its model, network session and protected files, once the setup has come. */
async function start(setup: PhotoWorkerSetup) {
  const files = await loadModelFiles(setup.manifestPath);
  const backend = await createNodeBackend(files.onnxPath, files.manifest, { intraOpNumThreads: setup.threads });
  const protect = await ProtectedFiles.of(setup.protect);
  return { files, backend, protect };
}

let setupArrived: (setup: PhotoWorkerSetup) => void = () => {};
const ready = new Promise<PhotoWorkerSetup>((resolve) => (setupArrived = resolve)).then(start);
ready.then(
  () => send({ type: 'ready' }),
  (e: unknown) => send({ type: 'failed-to-start', error: toPlainError(e) }),
);

const controllers = new Map<number, AbortController>();
let chain: Promise<void> = Promise.resolve();

async function run(id: number, m: Extract<ToPhotoWorker, { type: 'run' }>): Promise<void> {
  const controller = controllers.get(id) ?? new AbortController();
  try {
    const { files, backend, protect } = await ready;
    const result = await dehazeFile({
      ...m.task,
      backend,
      manifest: files.manifest,
      protect,
      signal: controller.signal,
      onProgress: (progress) => send({ type: 'progress', id, progress }),
      onTempFile: (path) => send({ type: 'temp', id, path }),
    });
    send({ type: 'done', id, result });
  } catch (e) {
    send({ type: 'error', id, error: toPlainError(e) });
  } finally {
    controllers.delete(id);
  }
}

port.on('message', (m: ToPhotoWorker) => {
  if (m.type === 'setup') {
    setupArrived(m.setup);
  } else if (m.type === 'exit') {
    process.exit(0);
  } else if (m.type === 'abort') {
    controllers.get(m.id)?.abort();
  } else {
    // The controller exists from arrival, so an abort sent while the photo waits still lands.
    controllers.set(m.id, new AbortController());
    chain = chain.then(() => run(m.id, m));
  }
});
