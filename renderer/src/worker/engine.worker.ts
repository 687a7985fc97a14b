/// <reference lib="webworker" />
/**
 * The engine worker: owns the ONNX session, decodes photos, runs the network once per photo and
 * renders previews and exports, so the UI thread never does pixel work. This file only wires the
 * messages to the handler table; each job lives in its own file (session, prepare, preview,
 * export; scheduler says who waits for whom).
 */
import { isAbortError } from '../../../engine/index';
import type { Progress } from '../../../engine/types';
import { exportPhoto } from './export';
import { open, reproxy } from './prepare';
import { preview } from './preview';
import type { CallContext, CallMessage, CallName, EngineHandlers, ResponseOf, WorkerRequest, WorkerResponse } from './protocol';
import { init, network } from './session';

declare const self: DedicatedWorkerGlobalScope;

const handlers: EngineHandlers = { init, open, proxy: reproxy, preview, export: exportPhoto, network };

const running = new Map<number, AbortController>();

function post(message: WorkerResponse, transfer: Transferable[] = []): void {
  self.postMessage(message, transfer);
}

function answer<N extends CallName>(msg: CallMessage<N>, context: CallContext): Promise<ResponseOf<N>> {
  const handler: EngineHandlers[N] = handlers[msg.name];
  return handler(msg.request, context);
}

function transferablesOf(value: unknown): Transferable[] {
  const out: Transferable[] = [];
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) {
      if (v instanceof ImageBitmap) out.push(v);
      else if (v instanceof Float32Array && v.buffer instanceof ArrayBuffer) out.push(v.buffer);
    }
  }
  return out;
}

async function handle(msg: WorkerRequest): Promise<void> {
  if (msg.type === 'cancel') {
    running.get(msg.id)?.abort();
    return;
  }
  const controller = new AbortController();
  running.set(msg.id, controller);
  const progress = (p: Progress): void => post({ type: 'progress', id: msg.id, progress: p });
  try {
    const value = await answer(msg, { signal: controller.signal, progress });
    post({ type: 'result', id: msg.id, value }, transferablesOf(value));
  } catch (e) {
    const aborted = isAbortError(e) || controller.signal.aborted;
    post({ type: 'error', id: msg.id, message: aborted ? 'cancelled' : errorMessage(e), aborted });
  } finally {
    running.delete(msg.id);
  }
}

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}

self.onmessage = (event: MessageEvent<WorkerRequest>) => {
  void handle(event.data);
};
