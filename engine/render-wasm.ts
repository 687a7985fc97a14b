// The render on the WebAssembly kernels (wasm/dehaze.ts, dehazeBand), 8- and 16-bit alike: the
// plan and its curves copied into their memory once per render, then band after band through it.
import type { RenderPlan } from './render-plan';
import { exposureLut, outputLut } from './render-tables';
import { claim, heldBy, kernels } from './wasm-kernels';
import type { PixelData } from './types';

/** wasm/dehaze.ts' modes of strength (setStrength). */
const MODE_DEHAZE = 0;
const MODE_ADD_HAZE = 1;
const MODE_UNCHANGED = 2;
/** Past the end of the band: a group of four pixels reads 16 bytes from its first (8-bit) or 32 (16-bit RGB: 8 past its own). */
const BAND_SLACK = 16;
/**
 * Pixels copied into the kernel's memory at a time, at most (WebAssembly memory never shrinks, so
 * a whole photo copied in once would stay allocated; 32 KB to 1 MB measured alike).
 */
const BAND_BYTES = 1 << 20;

/** Where the plan that holds the kernels' memory (heldBy) put its band, and how many rows it takes. */
let loaded: Loaded | null = null;

/** A loaded plan's band (and, for a haze map, the band of its grey pixels), of `bandRows` rows. */
interface Loaded {
  band: number;
  bandRows: number;
  map: number;
  mapChannels: number;
}

/** The bytes of a photo's samples or of a table (8-bit: the samples themselves). */
function bytesOf(data: PixelData | Float32Array): Uint8Array {
  return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
}

/**
 * Copies what the plan's rows need into the kernels' memory (the coefficient planes, the taps,
 * the column runs) and sets its constants, with room for a band of `bandRows` rows after them
 * (and for a haze map of `mapChannels`, its grey band).
 */
function load(plan: RenderPlan, sampleBytes: 1 | 2, bandRows: number, mapChannels: number): Loaded {
  const k = kernels();
  const { width, height, channels, estimate, netWidth, cols, rows, runCol, runEnd } = plan;
  const n = netWidth * estimate.netHeight;
  const colCount = ((width + 3) & ~3) + 4;
  const bandBytes = bandRows * width * channels * sampleBytes;
  const tLut = plan.tLut;
  const exposure = plan.exposure === 0 ? null : sampleBytes === 2 ? exposureLut(plan.exposure) : outputLut(plan.exposure);
  const oLut = exposure === null ? null : bytesOf(exposure);
  const depthLut = plan.beyond?.depthLut ?? null;
  const [tLutAt, oLutAt, depthLutAt, planes, rowI0, rowI1, rowW, colW, runColAt, runEndAt, scratch, band, map] = claim(plan, [
    tLut === null ? 0 : tLut.length * 4,
    oLut === null ? 0 : oLut.length,
    depthLut === null ? 0 : depthLut.length * 4,
    k.planeCount() * n * 4,
    height * 4,
    height * 4,
    height * 4,
    colCount * 4,
    runCol.length * 4,
    runEnd.length * 4,
    k.scratchBytes(width, netWidth),
    bandBytes + BAND_SLACK,
    bandRows * width * mapChannels,
  ]);

  const buffer = k.memory.buffer;
  const f32 = (offset: number, length: number): Float32Array => new Float32Array(buffer, offset, length);
  const i32 = (offset: number, length: number): Int32Array => new Int32Array(buffer, offset, length);
  if (tLut !== null) f32(tLutAt, tLut.length).set(tLut);
  if (oLut !== null) new Uint8Array(buffer, oLutAt, oLut.length).set(oLut);
  if (depthLut !== null) f32(depthLutAt, depthLut.length).set(depthLut);
  const p = f32(planes, k.planeCount() * n);
  p.set(estimate.coefA, 0);
  p.set(estimate.coefB, n);
  p.set(estimate.protectMask, 2 * n);
  for (let c = 0; c < 3; c++) {
    if (estimate.detailA !== null && estimate.detailB !== null) {
      p.set(estimate.detailA.subarray(c * n, (c + 1) * n), (3 + 2 * c) * n);
      p.set(estimate.detailB.subarray(c * n, (c + 1) * n), (4 + 2 * c) * n);
    } else {
      // B = I: a = 1, b = 0.
      p.fill(1, (3 + 2 * c) * n, (4 + 2 * c) * n);
      p.fill(0, (4 + 2 * c) * n, (5 + 2 * c) * n);
    }
  }
  i32(rowI0, height).set(rows.i0);
  i32(rowI1, height).set(rows.i1);
  f32(rowW, height).set(rows.w1);
  const w = f32(colW, colCount);
  w.set(cols.w1);
  w.fill(0, width);
  i32(runColAt, runCol.length).set(runCol);
  i32(runEndAt, runEnd.length).set(runEnd);
  k.setPlan(
    width,
    channels,
    sampleBytes,
    netWidth,
    estimate.netHeight,
    planes,
    rowI0,
    rowI1,
    rowW,
    colW,
    runColAt,
    runEndAt,
    runCol.length,
    scratch,
    estimate.airlight[0],
    estimate.airlight[1],
    estimate.airlight[2],
    plan.t0,
    plan.absK,
    plan.protect,
  );
  k.setCurves(tLut === null ? 0 : tLutAt, tLut === null ? 0 : tLut.length, oLut === null ? 0 : oLutAt, exposure === null ? 0 : exposure.length);
  const mode = plan.strength > 0 ? MODE_DEHAZE : plan.strength < 0 ? MODE_ADD_HAZE : MODE_UNCHANGED;
  k.setStrength(mode, depthLut === null ? 0 : depthLutAt, depthLut === null ? 0 : depthLut.length, plan.beyond?.kept ?? 1);
  return { band, bandRows, map, mapChannels };
}

/**
 * Rows y0..y1 of `src` (8- or 16-bit) copied into the kernels' memory band by band, the plan
 * loaded for them (again if another user of the memory came between its bands; bands of up to
 * BAND_BYTES of pixels, and for a haze map of `mapChannels` its grey band), and `run` called on
 * each band with its rows and its byte offset in the photo.
 */
function throughBands(
  plan: RenderPlan,
  src: PixelData,
  y0: number,
  y1: number,
  mapChannels: number,
  run: (loaded: Loaded, y: number, end: number, at: number, bytes: number) => void,
): void {
  const sampleBytes = src instanceof Uint16Array ? 2 : 1;
  const rowBytes = plan.width * plan.channels * sampleBytes;
  if (loaded === null || !heldBy(plan) || loaded.mapChannels !== mapChannels) {
    loaded = load(plan, sampleBytes, Math.max(1, Math.min(y1 - y0, Math.floor(BAND_BYTES / rowBytes))), mapChannels);
  }
  const from = bytesOf(src);
  const heap = kernels().memory.buffer;
  for (let y = y0; y < y1; y += loaded.bandRows) {
    const end = Math.min(y1, y + loaded.bandRows);
    const bytes = (end - y) * rowBytes;
    new Uint8Array(heap, loaded.band, bytes).set(from.subarray(y * rowBytes, y * rowBytes + bytes));
    run(loaded, y, end, y * rowBytes, bytes);
  }
}

/**
 * Rows y0..y1 of the render of a photo (RGB or RGBA, 8- or 16-bit) from src into dst (of the same
 * depth), which may be src itself.
 */
export function dehazeRowsWasm(plan: RenderPlan, src: PixelData, dst: PixelData, y0: number, y1: number): void {
  const k = kernels();
  const to = bytesOf(dst);
  throughBands(plan, src, y0, y1, 0, ({ band }, y, end, at, bytes) => {
    k.dehazeBand(band, y, end);
    to.set(new Uint8Array(k.memory.buffer, band, bytes), at);
  });
}

/**
 * The haze map of a photo (RGB or RGBA, 8- or 16-bit) for the plan: the transmission after the
 * sliders of each pixel as grey 8-bit pixels of `channels` (3, or 4 with alpha 255) into `out`.
 */
export function hazeMapWasm(plan: RenderPlan, src: PixelData, out: Uint8ClampedArray, channels: 3 | 4): void {
  const k = kernels();
  const outRowBytes = plan.width * channels;
  throughBands(plan, src, 0, plan.height, channels, ({ band, map }, y, end) => {
    k.hazeMapBand(band, map, channels, y, end);
    out.set(new Uint8Array(k.memory.buffer, map, (end - y) * outRowBytes), y * outRowBytes);
  });
}
