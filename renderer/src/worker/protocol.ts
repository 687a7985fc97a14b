/**
 * Messages between the UI thread and the engine worker. Every request carries an id; the worker
 * answers with exactly one `result` or `error` for it (plus any number of `progress`).
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
  type: 'init';
  manifest: unknown;
  onnx: Uint8Array;
  /** Absolute URL of the folder holding onnxruntime-web's .wasm/.mjs files (our own build). */
  wasmBase: string;
  backend: BackendChoice;
  numThreads?: number;
}

export interface OpenRequest {
  type: 'open';
  photoId: string;
  source: PhotoSource;
  /** Long side of the screen-size proxy that slider previews render. */
  proxyMaxSide: number;
  /** Prefetch: prepare quietly, at lower priority, and answer without pixels. */
  background: boolean;
}

/** Remakes the proxy of an open photo for another screen size (the window grew): no network run. */
export interface ProxyRequest {
  type: 'proxy';
  photoId: string;
  proxyMaxSide: number;
}

export interface PreviewRequest {
  type: 'preview';
  photoId: string;
  adjustments: Adjustments;
  mode: PreviewMode;
  /** Full-resolution crop to render (100% zoom and closer); absent = the whole proxy. */
  rect?: Rect;
}

export interface ExportRequest {
  type: 'export';
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
  type: 'network';
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}

export interface ForgetRequest {
  type: 'forget';
  photoIds: string[];
}

export type RequestBody = InitRequest | OpenRequest | ProxyRequest | PreviewRequest | ExportRequest | NetworkRequest | ForgetRequest;

export type WorkerRequest = ({ id: number } & RequestBody) | { type: 'cancel'; id: number };

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

export interface ResultMap {
  init: InitResult;
  open: OpenResult;
  proxy: ProxyResult;
  preview: PreviewResult;
  export: ExportResult;
  network: NetworkResult;
  forget: null;
}

export type WorkerResponse =
  | { type: 'result'; id: number; value: unknown }
  | { type: 'error'; id: number; message: string; aborted: boolean }
  | { type: 'progress'; id: number; progress: Progress };
