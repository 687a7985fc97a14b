// The engine's WebAssembly kernels (wasm/*.ts, compiled with SIMD into dehaze-wasm.ts): one
// instance per thread, and its memory, which one user at a time lays out as it needs.
import { DEHAZE_WASM_BASE64 } from './dehaze-wasm';

/** The WebAssembly API and atob, as far as the engine uses them (it compiles without DOM or Node types). */
interface WasmGlobals {
  WebAssembly: {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
  };
  atob(base64: string): string;
}

/** wasm/dehaze.ts' and wasm/guided.ts' exports (pointers and sizes in bytes). */
export interface Kernels {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  heapBase(): number;
  setPlan(
    width: number,
    channels: number,
    sampleBytes: number,
    netWidth: number,
    netHeight: number,
    planes: number,
    rowI0: number,
    rowI1: number,
    rowW: number,
    colW: number,
    runCol: number,
    runEnd: number,
    runs: number,
    scratch: number,
    ar: number,
    ag: number,
    ab: number,
    t0: number,
    absK: number,
    protect: number,
  ): void;
  setCurves(tLut: number, tLength: number, oLut: number, oLength: number): void;
  setStrength(mode: number, depthLut: number, dLength: number, kept: number): void;
  /** The coefficient planes setPlan takes: A, B, mask, then a and b of the base layer for R, G and B. */
  planeCount(): number;
  scratchBytes(width: number, netWidth: number): number;
  dehazeBand(band: number, y0: number, y1: number): void;
  hazeMapBand(band: number, out: number, outChannels: number, y0: number, y1: number): void;
  downscaleRow(
    band: number,
    rows: number,
    rowBytes: number,
    channels: number,
    from: number,
    to: number,
    outWidth: number,
    out: number,
    acc32: number,
    alphaOut: number,
  ): void;
  planarLuma(rgb: number, n: number, out: number): void;
  boxScratchBytes(h: number, w: number): number;
  boxMean(src: number, h: number, w: number, r: number, out: number, scratch: number): void;
  guidedScratchBytes(h: number, w: number): number;
  guidedCoefficients(
    guide: number,
    t: number,
    h: number,
    w: number,
    r: number,
    eps: number,
    a: number,
    b: number,
    meanG: number,
    varG: number,
    meanT: number,
    scratch: number,
  ): void;
  protectMask(meanG: number, varG: number, lumaA: number, h: number, w: number, r: number, out: number, scratch: number): void;
  select(a: number, n: number, k: number): number;
  largest(a: number, n: number): number;
  airlightBound(meanLuma: number, meanT: number, n: number, maxT: number, k: number, scratch: number): number;
}

const PAGE = 65536;

let instance: Kernels | null = null;
let holder: object | null = null;

export function kernels(): Kernels {
  if (instance === null) {
    // Synchronous compilation: the module is small, and the engine runs in workers and Node.
    const { WebAssembly, atob } = globalThis as unknown as WasmGlobals;
    const text = atob(DEHAZE_WASM_BASE64);
    const bytes = new Uint8Array(text.length);
    for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
    instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {}).exports as unknown as Kernels;
  }
  return instance;
}

/**
 * The kernels' memory for `owner`, laid out as regions of `sizes` bytes from heapBase on (each
 * 16-byte aligned, in the order asked for) and grown to hold them: returns their offsets.
 * Whoever held the memory before lays it out again before its next call (heldBy says whether it
 * still holds it).
 */
export function claim(owner: object, sizes: readonly number[]): number[] {
  const k = kernels();
  let at = (k.heapBase() + 15) & ~15;
  const offsets = sizes.map((bytes) => {
    const offset = at;
    at = (at + bytes + 15) & ~15;
    return offset;
  });
  const have = k.memory.buffer.byteLength;
  if (at > have) k.memory.grow(Math.ceil((at - have) / PAGE));
  holder = owner;
  return offsets;
}

/** A view of `length` doubles of the kernels' memory at `offset` (valid until it grows). */
export function f64s(offset: number, length: number): Float64Array {
  return new Float64Array(kernels().memory.buffer, offset, length);
}

/** A view of `length` floats of the kernels' memory at `offset` (valid until it grows). */
export function f32s(offset: number, length: number): Float32Array {
  return new Float32Array(kernels().memory.buffer, offset, length);
}

export function heldBy(owner: object): boolean {
  return holder === owner;
}
