/** Starts an engine worker with the model and our own copy of onnxruntime-web's runtime. */
import { EngineClient } from './engine-client';
import type { BackendChoice, InitResult } from './protocol';

export interface StartedEngine {
  client: EngineClient;
  info: InitResult;
}

/** Where the build puts onnxruntime-web's .wasm/.mjs (see renderer/assets-plugin.ts). */
export function ortBase(): string {
  return new URL('./ort/', document.baseURI).href;
}

/** ?backend=wasm|webgpu forces a backend (diagnostics, tests); anything else means automatic. */
export function backendFromUrl(): BackendChoice {
  const v = new URLSearchParams(location.search).get('backend');
  return v === 'wasm' || v === 'webgpu' ? v : 'auto';
}

export async function startEngine(model: { manifest: unknown; onnx: Uint8Array }, backend: BackendChoice = backendFromUrl()): Promise<StartedEngine> {
  const client = EngineClient.start();
  try {
    // A copy: the bytes are transferred and the caller may start a second worker from them.
    const onnx = model.onnx.slice();
    const info = await client.call('init', { manifest: model.manifest, onnx, wasmBase: ortBase(), backend }, { transfer: [onnx.buffer] });
    return { client, info };
  } catch (e) {
    client.terminate();
    throw e;
  }
}
