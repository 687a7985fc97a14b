// Messages between the export queue (main process) and its worker thread.

import type { PlainError } from '../node/photo-lanes';
import type { Adjustments, ExportFormat, ExportStage } from '../common/contract';

export interface WorkerSetup {
  /** Absolute path of the model's .json manifest (the .onnx is found through it). */
  manifestPath: string;
  /** Every input of the job: never written over, whatever the output naming says. */
  protect: string[];
  /** onnxruntime intra-op threads. */
  threads: number;
}

export interface FileTask {
  type: 'file';
  index: number;
  input: string;
  output: string;
  adjustments: Adjustments;
  format: ExportFormat;
  quality: number;
  maxSize: number | null;
  /** Overwrite `output` if it exists (the queue already applied the skip/rename policy). */
  overwrite: boolean;
}

export type ToWorker = FileTask | { type: 'cancel' };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'progress'; index: number; stage: ExportStage; done: number; total: number }
  /** The temporary file the photo is being written to (the queue removes it if it kills the thread). */
  | { type: 'temp'; index: number; path: string }
  | { type: 'result'; index: number; ok: true; output: string; ms: number }
  /** `error`: the error itself, so the queue tells its class (node/photo-lanes.ts carries it across). */
  | { type: 'result'; index: number; ok: false; aborted: boolean; reason: string; error: PlainError };
