// Worker thread of the export queue: loads the model once, then dehazes one photo per 'file'
// message with node/dehaze-file.ts. 'cancel' aborts the photo in flight; dehaze-file writes
// through a temp file, so an aborted photo leaves nothing behind.

import { parentPort, workerData } from 'node:worker_threads';
import { isAbortError } from '../engine/abort';
import { createNodeBackend } from '../engine/backend-node';
import { dehazeFile } from '../node/dehaze-file';
import { cleanSharpMessage } from '../node/image-io';
import { loadModelFiles } from '../node/model-files';
import { toPlainError } from '../node/photo-lanes';
import { ProtectedFiles } from '../node/safe-write';
import type { ExportStage } from '../common/contract';
import type { FileTask, FromWorker, ToWorker, WorkerSetup } from './export-protocol';

const port = parentPort;
if (!port) throw new Error('export-worker must run in a worker thread');
const setup = workerData as WorkerSetup;

const send = (m: FromWorker): void => port.postMessage(m);

// Start loading at once, but attach the message listener synchronously so no task is missed.
const ready = (async () => {
  const files = await loadModelFiles(setup.manifestPath);
  // One thread for the network: the main process and the renderer share the machine.
  const backend = await createNodeBackend(files.onnxPath, files.manifest, { intraOpNumThreads: setup.threads });
  const protect = await ProtectedFiles.of(setup.protect);
  return { files, backend, protect };
})();
ready.then(
  () => send({ type: 'ready' }),
  () => undefined,
);

let controller: AbortController | null = null;
let chain: Promise<void> = Promise.resolve();

function exportStage(engineStage: string): ExportStage {
  if (engineStage === 'decode' || engineStage === 'encode' || engineStage === 'render') return engineStage;
  return 'estimate';
}

async function runFile(task: FileTask): Promise<void> {
  controller = new AbortController();
  const signal = controller.signal;
  const start = performance.now();
  try {
    const { files, backend, protect } = await ready;
    signal.throwIfAborted();
    const result = await dehazeFile({
      input: task.input,
      output: task.output,
      backend,
      manifest: files.manifest,
      adjustments: task.adjustments,
      format: task.format,
      quality: task.quality,
      maxSize: task.maxSize ?? undefined,
      overwrite: task.overwrite,
      protect,
      signal,
      onProgress: (p) => send({ type: 'progress', index: task.index, stage: exportStage(p.stage), done: p.done, total: p.total }),
      onTempFile: (tmp) => send({ type: 'temp', index: task.index, path: tmp }),
    });
    send({ type: 'result', index: task.index, ok: true, output: result.output, ms: performance.now() - start });
  } catch (e) {
    const aborted = signal.aborted || isAbortError(e);
    send({ type: 'result', index: task.index, ok: false, aborted, reason: aborted ? 'cancelled' : cleanSharpMessage(e), error: toPlainError(e) });
  } finally {
    controller = null;
  }
}

port.on('message', (m: ToWorker) => {
  if (m.type === 'cancel') {
    controller?.abort();
    return;
  }
  chain = chain.then(() => runFile(m));
});
