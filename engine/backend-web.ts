import type * as Ort from 'onnxruntime-web';
import { OrtSessionBackend } from './ort-backend';
import type { InferenceBackend, ModelManifest, NetworkOutputs } from './types';

export interface WebBackendOptions {
  /** Where the ort-wasm-*.wasm/.mjs files are served from (bundlers rename them). */
  wasmPaths?: Ort.Env.WasmPrefixOrFilePaths;
  /** WASM threads; threads need cross-origin isolation (SharedArrayBuffer). Default 1 without it. */
  numThreads?: number;
  /** Skip the automatic choice (tests, or a user setting). */
  force?: 'webgpu' | 'wasm';
}

type WebName = 'webgpu' | 'wasm';
type Runtime = typeof Ort;

/**
 * The onnxruntime-web build for a provider, loaded when first needed. `onnxruntime-web/webgpu`
 * carries WebGPU and WASM in one 27 MB asyncify build; `onnxruntime-web/wasm` carries WASM alone in
 * 14 MB, which starts in about half the time where there is no GPU (Chromium 156, 2 cores: session
 * created in 2.7 s against 5.1 s, first run 0.4-0.5 s against 0.8 s).
 */
const RUNTIMES: Record<WebName, () => Promise<Runtime>> = {
  webgpu: () => import('onnxruntime-web/webgpu'),
  wasm: () => import('onnxruntime-web/wasm'),
};

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

function configureWasm(ort: Runtime, opts: WebBackendOptions): void {
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
  const bytes = model instanceof ArrayBuffer ? new Uint8Array(model) : model;
  const open = async (ep: WebName, reason: string): Promise<WebBackend> => {
    const ort = await RUNTIMES[ep]();
    configureWasm(ort, opts);
    const options: Ort.InferenceSession.SessionOptions = { executionProviders: [ep], graphOptimizationLevel: 'all' };
    const session = typeof bytes === 'string' ? await ort.InferenceSession.create(bytes, options) : await ort.InferenceSession.create(bytes, options);
    return new WebBackend(ort, session, manifest, ep, reason);
  };

  if (opts.force === 'wasm') return open('wasm', 'WASM: forced by option');
  if (opts.force === 'webgpu') {
    const probe = await probeWebGpu();
    if (!probe.ok) throw new Error(`${probe.why}; WebGPU was forced`);
    return open('webgpu', 'WebGPU: forced by option');
  }

  const probe = await probeWebGpu();
  if (probe.ok) {
    try {
      return await open('webgpu', probe.why);
    } catch (e) {
      return open('wasm', `WebGPU: session failed (${(e as Error).message}) -> WASM`);
    }
  }
  return open('wasm', `${probe.why} -> WASM`);
}

class WebBackend extends OrtSessionBackend<Ort.Tensor, WebName> {
  constructor(
    private readonly ort: Runtime,
    session: Ort.InferenceSession,
    manifest: ModelManifest,
    name: WebName,
    reason: string,
  ) {
    super(session, manifest, name, reason);
  }

  protected tensor(data: Float32Array, dims: number[]): Ort.Tensor {
    return new this.ort.Tensor('float32', data, dims);
  }

  // getData() downloads GPU-resident outputs; copies so the tensors can be released.
  protected async read(t: Ort.Tensor, a: Ort.Tensor): Promise<NetworkOutputs> {
    const transmission = new Float32Array((await t.getData()) as Float32Array);
    const airlight = new Float32Array((await a.getData()) as Float32Array);
    return { transmission, airlight };
  }

  protected override releaseOutputs(outputs: Record<string, Ort.Tensor>): void {
    for (const v of Object.values(outputs)) v.dispose();
  }
}
