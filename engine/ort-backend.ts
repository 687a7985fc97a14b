import { throwIfAborted } from './abort';
import type { AbortSignalLike } from './host';
import type { InferenceBackend, ModelManifest, NetworkOutputs } from './types';

/** The part of an onnxruntime session (onnxruntime-node or -web: the same common API) used here. */
export interface OrtSessionLike<T> {
  run(feeds: Record<string, T>): Promise<Record<string, T>>;
  release(): Promise<void>;
}

/**
 * An `InferenceBackend` over an onnxruntime session, whichever package made it: feeds the input
 * under the manifest's input name and finds the transmission and airlight outputs by the manifest's
 * output names (their sizes are checked by `estimateHaze`, the same for every backend). A runtime
 * says how it makes a tensor and reads the two outputs, and whether outputs need releasing.
 */
export abstract class OrtSessionBackend<T, Name extends InferenceBackend['name']> implements InferenceBackend {
  constructor(
    private readonly session: OrtSessionLike<T>,
    private readonly manifest: ModelManifest,
    readonly name: Name,
    readonly reason: string,
  ) {}

  /** A float32 tensor of this runtime. */
  protected abstract tensor(data: Float32Array, dims: number[]): T;

  /** The network outputs as plain arrays, from the two tensors. */
  protected abstract read(transmission: T, airlight: T): Promise<NetworkOutputs>;

  /** Frees every output of a run once it has been read (or the run was aborted). */
  protected releaseOutputs(_outputs: Record<string, T>): void {}

  async run(input: Float32Array, height: number, width: number, signal?: AbortSignalLike): Promise<NetworkOutputs> {
    throwIfAborted(signal);
    const m = this.manifest;
    const out = await this.session.run({ [m.input.name]: this.tensor(input, [1, 3, height, width]) });
    try {
      throwIfAborted(signal);
      const t = out[m.outputs.transmission.name];
      const a = out[m.outputs.airlight.name];
      if (!t || !a) throw new Error(`model outputs ${Object.keys(out).join(', ')} lack those named in the manifest`);
      return await this.read(t, a);
    } finally {
      this.releaseOutputs(out);
    }
  }

  async dispose(): Promise<void> {
    await this.session.release();
  }
}
