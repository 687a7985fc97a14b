/**
 * Hazeless dehazing engine: pure TypeScript, shared by the renderer worker (onnxruntime-web) and
 * Node (onnxruntime-node). Backends live in backend-node.ts / backend-web.ts and are imported
 * directly by the side that needs them, so this entry point stays free of runtime imports.
 */
export type {
  PixelData,
  ImageBuffer,
  Adjustments,
  Progress,
  RunOptions,
  NetworkOutputs,
  InferenceBackend,
  ModelManifest,
  HazeEstimate,
  Region,
  RenderOptions,
  HazeMapOptions,
} from './types';
export { parseManifest, loadManifest } from './manifest';
export { neutralAdjustments, defaultAdjustments, clampAdjustments, isNeutral, ADJUSTMENT_RANGES } from './adjustments';
export { estimateHaze, networkSize } from './estimate';
export { renderDehazed, renderDehazedSync, renderHazeMap } from './render';
export { AbortError, isAbortError } from './abort';
