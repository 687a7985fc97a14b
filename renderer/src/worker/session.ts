/// <reference lib="webworker" />
/**
 * The model session the worker owns: starting it (with a warm-up run), handing it to the other
 * jobs, and the raw network outputs the diagnostics page compares between backends.
 */
import { estimateHaze, parseManifest } from '../../../engine/index';
import { paddedSize } from '../../../engine/network-size';
import { createWebBackend } from '../../../engine/backend-web';
import type { ImageBuffer, InferenceBackend, ModelManifest } from '../../../engine/types';
import type { InitRequest, InitResult, NetworkRequest, NetworkResult } from './protocol';
import { now, serially } from './scheduler';

declare const self: DedicatedWorkerGlobalScope;

let manifest: ModelManifest | null = null;
let backend: InferenceBackend | null = null;

export function ready(): { manifest: ModelManifest; backend: InferenceBackend } {
  if (!manifest || !backend) throw new Error('the engine is not initialised yet');
  return { manifest, backend };
}

/**
 * One run on a blank landscape input while the user picks a photo: a session's first run costs
 * 0.3-0.7 s more than the next ones (the runtime's code is compiled further as it runs, buffers
 * are planned), which the first photo would otherwise wait for.
 */
async function warmUp(b: InferenceBackend, m: ModelManifest): Promise<void> {
  const w = paddedSize(m.input.maxSide, m.input.multiple);
  const h = paddedSize(Math.round((m.input.maxSide * 3) / 4), m.input.multiple);
  try {
    await b.run(new Float32Array(3 * h * w).fill(0.5), h, w);
  } catch {
    // A failing network shows itself on the first photo, with the message it gives there.
  }
}

export async function init(req: InitRequest): Promise<InitResult> {
  const start = now();
  const m = parseManifest(req.manifest);
  manifest = m;
  if (backend) await backend.dispose();
  backend = null;
  // Threads need SharedArrayBuffer, which needs cross-origin isolation (COOP + COEP headers).
  const threads = req.numThreads ?? (self.crossOriginIsolated ? Math.min(4, navigator.hardwareConcurrency || 1) : 1);
  const b = await createWebBackend(req.onnx, m, {
    wasmPaths: req.wasmBase,
    numThreads: threads,
    force: req.backend === 'auto' ? undefined : req.backend,
  });
  backend = b;
  void serially(() => warmUp(b, m));
  return { backend: b.name, reason: b.reason, threads, crossOriginIsolated: self.crossOriginIsolated, ms: now() - start };
}

export async function network(req: NetworkRequest): Promise<NetworkResult> {
  const { manifest: m, backend: b } = ready();
  const image: ImageBuffer = { width: req.width, height: req.height, channels: 4, data: req.rgba };
  const e = await serially(() => estimateHaze(b, m, image));
  return { transmission: e.transmission, airlight: Float32Array.from(e.airlight), netWidth: e.netWidth, netHeight: e.netHeight, backend: b.name };
}
