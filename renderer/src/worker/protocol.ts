/**
 * The engine worker's calls, declared once in `EngineCalls` (name -> request and response). The
 * worker answers them with a handler table typed by this map (`EngineHandlers`: a missing or
 * misspelt handler does not compile) and the UI thread asks with `EngineClient.call(name,
 * request)`, typed by the same map, so the two sides cannot drift apart.
 *
 * On the wire every call carries an id; the worker answers with exactly one `result` or `error`
 * for it (plus any number of `progress`).
 */
import type { Adjustments, Progress } from '../../../engine/types';

/** A photo as the host hands it over: still encoded (browser) or decoded RGBA (Electron). */
export type PhotoSource =
  | { kind: 'blob'; blob: Blob }
  | { kind: 'rgba'; width: number; height: number; data: Uint8Array };

export type BackendChoice = 'auto' | 'webgpu' | 'wasm';
export type PreviewMode = 'dehazed' | 'haze';

export interface Rect {
  left: number;
  top: number;
  width: number;
  height: number;
}

export interface InitRequest {
  manifest: unknown;
  onnx: Uint8Array;
  /** Absolute URL of the folder holding onnxruntime-web's .wasm/.mjs files (our own build). */
  wasmBase: string;
  backend: BackendChoice;
  numThreads?: number;
}

export interface OpenRequest {
  photoId: string;
  source: PhotoSource;
  /** Long side of the screen-size proxy that slider previews render. */
  proxyMaxSide: number;
  /** Prefetch: prepare quietly, at lower priority, and answer without pixels. */
  background: boolean;
}

/** Remakes the proxy of an open photo for another screen size (the window grew): no network run. */
export interface ProxyRequest {
  photoId: string;
  proxyMaxSide: number;
}

export interface PreviewRequest {
  photoId: string;
  adjustments: Adjustments;
  mode: PreviewMode;
  /** Full-resolution crop to render (100% zoom and closer); absent = the whole proxy. */
  rect?: Rect;
}

export interface ExportRequest {
  photoId: string;
  source: PhotoSource;
  adjustments: Adjustments;
  mime: string;
  /** 1..100 */
  quality: number;
  maxSize: number | null;
}

/** Raw network outputs for a small image: backend parity checks (diagnostics page, tests). */
export interface NetworkRequest {
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export interface InitResult {
  backend: 'webgpu' | 'wasm' | 'cpu';
  reason: string;
  threads: number;
  crossOriginIsolated: boolean;
  ms: number;
}

export interface OpenResult {
  photoId: string;
  width: number;
  height: number;
  proxyWidth: number;
  proxyHeight: number;
  /** The unprocessed proxy (for before/after); null for background requests. */
  original: ImageBitmap | null;
  timings: { decode: number; estimate: number; network: number; total: number; cached: boolean };
}

export interface ProxyResult {
  photoId: string;
  proxyWidth: number;
  proxyHeight: number;
  /** The unprocessed new proxy (for before/after). */
  original: ImageBitmap;
}

export interface PreviewResult {
  photoId: string;
  mode: PreviewMode;
  /** The values this frame was rendered with. */
  adjustments: Adjustments;
  rect: Rect | null;
  /** The rendered pixels, proxy-size or the rect's size. */
  bitmap: ImageBitmap;
  /** For a rect: the unprocessed crop (before/after at 100%). */
  original: ImageBitmap | null;
  renderMs: number;
}

export interface ExportResult {
  blob: Blob;
  width: number;
  height: number;
  timings: Record<string, number>;
}

export interface NetworkResult {
  transmission: Float32Array;
  airlight: Float32Array;
  netWidth: number;
  netHeight: number;
  backend: string;
}

/** Every call the worker answers: its name, what it is asked with and what it answers. */
export interface EngineCalls {
  init: { request: InitRequest; response: InitResult };
  open: { request: OpenRequest; response: OpenResult };
  proxy: { request: ProxyRequest; response: ProxyResult };
  preview: { request: PreviewRequest; response: PreviewResult };
  export: { request: ExportRequest; response: ExportResult };
  network: { request: NetworkRequest; response: NetworkResult };
}

export type CallName = keyof EngineCalls;
export type RequestOf<N extends CallName> = EngineCalls[N]['request'];
export type ResponseOf<N extends CallName> = EngineCalls[N]['response'];

/** What a handler gets besides its request: the caller's cancellation and a progress channel. */
export interface CallContext {
  signal: AbortSignal;
  progress(p: Progress): void;
}

/** The worker's side: one handler per call. */
export type EngineHandlers = { [N in CallName]: (request: RequestOf<N>, context: CallContext) => Promise<ResponseOf<N>> };

/** A call as posted to the worker, its name and request kept together. */
export type CallMessage<N extends CallName = CallName> = { [K in N]: { type: 'call'; id: number; name: K; request: RequestOf<K> } }[N];

/** The caller gave up on call `id` (its AbortSignal fired). */
export interface CancelMessage {
  type: 'cancel';
  id: number;
}

export type WorkerRequest = CallMessage | CancelMessage;

/** `value` is the call's `ResponseOf<name>`; the client knows which from the id it sent. */
export type WorkerResponse =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string; aborted: boolean }
  | { type: 'progress'; id: number; progress: Progress };
