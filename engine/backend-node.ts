// First: onnxruntime must not start its telemetry (see the module).
import './onnxruntime-offline';
import * as ort from 'onnxruntime-node';
import { OrtSessionBackend } from './ort-backend';
import type { InferenceBackend, ModelManifest, NetworkOutputs } from './types';

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
  return new NodeBackend(session, manifest, 'cpu', 'onnxruntime-node (CPU)');
}

class NodeBackend extends OrtSessionBackend<ort.Tensor, 'cpu'> {
  protected tensor(data: Float32Array, dims: number[]): ort.Tensor {
    return new ort.Tensor('float32', data, dims);
  }

  // CPU outputs: their data are plain Float32Arrays already.
  protected async read(t: ort.Tensor, a: ort.Tensor): Promise<NetworkOutputs> {
    return { transmission: t.data as Float32Array, airlight: a.data as Float32Array };
  }
}
