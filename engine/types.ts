/** Shared types of the dehazing engine. Pure data: everything here can cross postMessage / IPC. */

import type { AirlightFloor } from './airlight-floor';
import type { AbortSignalLike } from './host';

/** Interleaved samples; Uint16Array means 16-bit (0..65535), the others 8-bit (0..255). */
export type PixelData = Uint8Array | Uint8ClampedArray | Uint16Array;

/** Interleaved RGB(A) image. Alpha, when present, is passed through untouched. */
export interface ImageBuffer {
  width: number;
  height: number;
  channels: 3 | 4;
  data: PixelData;
}

/**
 * Slider values; their ranges are ADJUSTMENT_RANGES (engine/adjustments.ts), what each does is
 * in engine/README.md. 0 is neutral for every slider; strength 100 is the model's full physical
 * estimate, below 0 it adds haze; exposure +-100 is +-2 EV of shadow gain, white stays white.
 */
export interface Adjustments {
  strength: number;
  distance: number;
  protect: number;
  exposure: number;
}

export interface Progress {
  stage: string;
  done: number;
  total: number;
}

export interface RunOptions {
  signal?: AbortSignalLike;
  onProgress?: (p: Progress) => void;
}

export interface NetworkOutputs {
  /** height*width values in (0, 1]. */
  transmission: Float32Array;
  /** 3 values (R, G, B). */
  airlight: Float32Array;
}

/** Runs the ONNX graph; `input` is 1x3xHxW planar float32 in [0,1], H and W already padded. */
export interface InferenceBackend {
  readonly name: 'webgpu' | 'wasm' | 'cpu';
  /** Human-readable reason for the choice, e.g. "WebGPU: no adapter -> WASM". */
  readonly reason: string;
  run(input: Float32Array, height: number, width: number, signal?: AbortSignalLike): Promise<NetworkOutputs>;
  dispose(): Promise<void>;
}

/** The subset of models/<id>.json the engine relies on, validated by parseManifest. */
export interface ModelManifest {
  id: string;
  version: string;
  file: string;
  input: {
    name: string;
    maxSide: number;
    multiple: number;
    resample: 'area';
    pad: 'edge';
  };
  outputs: {
    transmission: { name: string };
    airlight: { name: string; kind: 'global' };
  };
  reconstruction: {
    t0: number;
    guide: 'luma709';
    guidedFilter: { radiusFraction: number; epsilon: number };
    /**
     * Detail kept, not amplified: J = (B - A) / t + A + (I - B), with the base layer B each channel
     * through a self-guided filter (this epsilon, the guided filter's radius) at network size.
     * null: J = (I - A) / t + A.
     */
    detail: { epsilon: number } | null;
    /**
     * A moved towards white so that J <= 1 over all but `share` of the guided filter's windows
     * (engine/airlight-floor.ts); windows with mean t >= maxTransmission do not count. null: A as
     * the network gives it.
     */
    airlightFloor: AirlightFloor | null;
  };
  defaults: Adjustments;
}

/**
 * Everything the renderer needs about one photo, computed once (the network runs here).
 * Planes are row-major at network size (netHeight x netWidth). Plain data: transferable.
 */
export interface HazeEstimate {
  /** Size of the image the estimate was made from (the full photo). */
  width: number;
  height: number;
  netWidth: number;
  netHeight: number;
  /** Network transmission, cropped to netHeight x netWidth. */
  transmission: Float32Array;
  airlight: [number, number, number];
  /** Box-averaged guided-filter coefficients: t = coefA * luma + coefB. */
  coefA: Float32Array;
  coefB: Float32Array;
  /**
   * Base-layer coefficients (reconstruction.detail), planar R, G, B (3 x netHeight x netWidth):
   * B = detailA * I + detailB per channel; null when the manifest has no detail threshold.
   */
  detailA: Float32Array | null;
  detailB: Float32Array | null;
  /** 0..1 weight of "bright and flat" (sky-like) regions, used by the protect slider. */
  protectMask: Float32Array;
  /** Median optical depth -ln(t) of the scene: the pivot of the distance slider. */
  depthPivot: number;
  timings: Record<string, number>;
}

/**
 * Where `image` sits when it is only part of the rendered picture (100% zoom): the picture is
 * fullWidth x fullHeight (same aspect as the photo) and `image` is its crop at (left, top).
 */
export interface Region {
  left: number;
  top: number;
  fullWidth: number;
  fullHeight: number;
}

export interface RenderOptions extends RunOptions {
  /** Destination; may be `image` itself (in place). Must match its size, channels and depth. */
  output?: ImageBuffer;
  /** Rows per band (progress / abort granularity). Default: about 2 megapixels per band. */
  bandRows?: number;
  region?: Region;
}

export interface HazeMapOptions {
  region?: Region;
  /** Default: 4 (RGBA, alpha 255), ready for canvas ImageData. */
  channels?: 3 | 4;
}
