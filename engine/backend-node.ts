import * as ort from 'onnxruntime-node';
import { throwIfAborted } from './abort.js';
import type { InferenceBackend, ModelManifest, NetworkOutputs } from './types.js';

export interface NodeBackendOptions {
  /** Threads for one inference; default: onnxruntime's choice (all cores). */
  intraOpNumThreads?: number;
}

/** onnxruntime-node on the CPU. `model` is the .onnx path or its bytes. */
export async function createNodeBackend(
  model: string | Uint8Array,
  manifest: ModelManifest,
  opts: NodeBackendOptions = {},
): Promise<InferenceBackend> {
  const sessionOptions: ort.InferenceSession.SessionOptions = {
    executionProviders: ['cpu'],
    graphOptimizationLevel: 'all',
    ...(opts.intraOpNumThreads ? { intraOpNumThreads: opts.intraOpNumThreads } : {}),
    // Idle onnxruntime threads would otherwise spin for a while after each run, taking the
    // cores from the guided filter and the render that follow it (measured: ~20% of them).
    extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
  };
  const session =
    typeof model === 'string'
      ? await ort.InferenceSession.create(model, sessionOptions)
      : await ort.InferenceSession.create(model, sessionOptions);
  return new OrtBackend(session, manifest, 'cpu', 'onnxruntime-node (CPU)');
}

/** Shared by both runtimes: they expose the same onnxruntime-common session API. */
class OrtBackend implements InferenceBackend {
  constructor(
    private readonly session: ort.InferenceSession,
    private readonly manifest: ModelManifest,
    readonly name: 'cpu',
    readonly reason: string,
  ) {}

  async run(input: Float32Array, height: number, width: number, signal?: AbortSignal): Promise<NetworkOutputs> {
    throwIfAborted(signal);
    const m = this.manifest;
    const feeds = { [m.input.name]: new ort.Tensor('float32', input, [1, 3, height, width]) };
    const out = await this.session.run(feeds);
    throwIfAborted(signal);
    const t = out[m.outputs.transmission.name];
    const a = out[m.outputs.airlight.name];
    if (!t || !a) throw new Error(`model outputs ${Object.keys(out).join(', ')} lack those named in the manifest`);
    const result = { transmission: t.data as Float32Array, airlight: a.data as Float32Array };
    return result;
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
