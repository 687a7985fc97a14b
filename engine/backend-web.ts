import * as ort from 'onnxruntime-web/webgpu';
import { OrtSessionBackend } from './ort-backend.js';
import type { InferenceBackend, ModelManifest, NetworkOutputs } from './types.js';

export interface WebBackendOptions {
  /** Where the ort-wasm-*.wasm/.mjs files are served from (bundlers rename them). */
  wasmPaths?: ort.Env.WasmPrefixOrFilePaths;
  /** WASM threads; threads need cross-origin isolation (SharedArrayBuffer). Default 1 without it. */
  numThreads?: number;
  /** Skip the automatic choice (tests, or a user setting). */
  force?: 'webgpu' | 'wasm';
}

type WebName = 'webgpu' | 'wasm';

interface GpuLike {
  requestAdapter(): Promise<unknown>;
}

/** Whether this context can give WebGPU an adapter; `why` explains a "no". */
async function probeWebGpu(): Promise<{ ok: boolean; why: string }> {
  const gpu = (globalThis as { navigator?: { gpu?: GpuLike } }).navigator?.gpu;
  if (!gpu) return { ok: false, why: 'WebGPU: not available in this context (no navigator.gpu)' };
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? { ok: true, why: 'WebGPU: adapter found' } : { ok: false, why: 'WebGPU: no adapter' };
  } catch (e) {
    return { ok: false, why: `WebGPU: requestAdapter failed (${(e as Error).message})` };
  }
}

function configureWasm(opts: WebBackendOptions): void {
  if (opts.wasmPaths !== undefined) ort.env.wasm.wasmPaths = opts.wasmPaths;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  ort.env.wasm.numThreads = opts.numThreads ?? (isolated ? Math.min(4, globalThis.navigator?.hardwareConcurrency ?? 1) : 1);
}

/**
 * onnxruntime-web: WebGPU first, WASM as the fallback, with `reason` saying which one runs and
 * why (e.g. "WebGPU: no adapter -> WASM"). `model` is the .onnx bytes or a URL.
 */
export async function createWebBackend(
  model: string | Uint8Array | ArrayBuffer,
  manifest: ModelManifest,
  opts: WebBackendOptions = {},
): Promise<InferenceBackend> {
  configureWasm(opts);
  const bytes = model instanceof ArrayBuffer ? new Uint8Array(model) : model;
  const create = (ep: WebName): Promise<ort.InferenceSession> =>
    typeof bytes === 'string'
      ? ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' })
      : ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all' });

  if (opts.force === 'wasm') return new WebBackend(await create('wasm'), manifest, 'wasm', 'WASM: forced by option');
  if (opts.force === 'webgpu') {
    const probe = await probeWebGpu();
    if (!probe.ok) throw new Error(`${probe.why}; WebGPU was forced`);
    return new WebBackend(await create('webgpu'), manifest, 'webgpu', 'WebGPU: forced by option');
  }

  const probe = await probeWebGpu();
  if (probe.ok) {
    try {
      return new WebBackend(await create('webgpu'), manifest, 'webgpu', probe.why);
    } catch (e) {
      return new WebBackend(await create('wasm'), manifest, 'wasm', `WebGPU: session failed (${(e as Error).message}) -> WASM`);
    }
  }
  return new WebBackend(await create('wasm'), manifest, 'wasm', `${probe.why} -> WASM`);
}

class WebBackend extends OrtSessionBackend<ort.Tensor, WebName> {
  protected tensor(data: Float32Array, dims: number[]): ort.Tensor {
    return new ort.Tensor('float32', data, dims);
  }

  // getData() downloads GPU-resident outputs; copies so the tensors can be released.
  protected async read(t: ort.Tensor, a: ort.Tensor): Promise<NetworkOutputs> {
    const transmission = new Float32Array((await t.getData()) as Float32Array);
    const airlight = new Float32Array((await a.getData()) as Float32Array);
    return { transmission, airlight };
  }

  protected override releaseOutputs(outputs: Record<string, ort.Tensor>): void {
    for (const v of Object.values(outputs)) v.dispose();
  }
}
