// AssemblyScript, compiled to WebAssembly with SIMD by `npm run build:wasm` (with guided.ts, into
// one module) into engine/dehaze-wasm.ts: the render of every photo, 8- and 16-bit, RGB and RGBA,
// at every slider setting (the preview's and the export's), and its haze map, four pixels at a
// time in f32x4 lanes, and the exact area downscale of 8-bit photos. The math is that of
// engine/adjustments.ts (tests hold it to tests/unit/render-oracle.ts, the same math written
// plainly in double precision): t = clamp(a luma + b),
// distance and strength (beyond 100 the depth scaling with the shadow bound), the base layer B,
// J = I + DL (1/max(t, t0) - 1) + (D - DL) (1/max(t', t0) - 1) with t' raised by protect (or,
// below strength 0, haze added), then exposure; in single precision. A NaN coefficient gives t = 0
// (the clamps below).
//
// Clamps use f32x4.pmin / pmax (one x64 instruction each; f32x4.min / max take about six for
// their NaN and signed-zero rules), the bound first, so that a NaN lane takes the bound; samples
// convert as signed integers (x64 has no unsigned conversion; they are 0..65535 either way). The
// general forms would cost a third more time, for the same pixels.
//
// The coefficient planes are upsampled bilinearly, horizontally first: the two network rows
// around an output row are interpolated to every pixel once for all the output rows between them
// (hTop and hStep), and each group of pixels takes top + wy step, with the row's weight wy.
//
// JS owns the memory layout (engine/render-wasm.ts): it writes the plan with setPlan's pointers,
// copies a band of pixels in, calls dehazeBand (or hazeMapBand), and copies the band (or the
// haze map's grey band) out.

/** Coefficient planes of the estimate, netWidth x netHeight each, in this order. */
const PLANES: usize = 9; // A, B, mask, then a and b of the base layer for R, G and B

// The plan (setPlan).
let width = 0;
let channels = 0;
let deep = false; // 16-bit samples (else 8-bit)
let netWidth = 0;
let planeBytes: usize = 0;
let planes: usize = 0; // PLANES planes of f32
let rowI0: usize = 0; // per output row: i32 top network row
let rowI1: usize = 0; // per output row: i32 bottom network row
let rowW: usize = 0; // per output row: f32 weight of the bottom row
let colW: usize = 0; // per output column (+ 4 slack): f32 weight of the right network column
let runCol: usize = 0; // per column run: i32 left network column
let runEnd: usize = 0; // per column run: i32 first column past the run
let runs = 0;
let netRow: usize = 0; // scratch: PLANES x (netWidth + 1) f32, a network row of the planes (its last column copied once more)
let hTop: usize = 0; // scratch: PLANES x rowStride f32, the planes of the output row's top network row at each pixel
let hStep: usize = 0; // scratch: the same for its bottom network row, less hTop
let rowStride = 0; // width rounded up to 4, + 4
let tail: usize = 0; // scratch: 64 bytes for the last pixels of a row (a group reads and writes 32 at most)
// The network rows hTop and hStep hold (-1: none yet), and the weight of the bottom one in the
// row being rendered.
let top = -1;
let bottom = -1;
let wy: f32 = 0;
let ar: f32 = 0;
let ag: f32 = 0;
let ab: f32 = 0;
let t0: f32 = 0;
let absK: f32 = 1;
let protect: f32 = 0;
let scaleT = false;
// The slider curves (setCurves): distance and strength as one curve of t (f32, tSize + 2
// entries; 0: none), and exposure (0: none): 8-bit, with quantisation (u8, oScale + 1 entries,
// indexed by J oScale); 16-bit, the curve itself (f32, oScale + 2 entries, interpolated).
let tLut: usize = 0;
let tSize: f32 = 0;
let oLut: usize = 0;
let oScale: f32 = 0;
// Strength (setStrength): the mode, and beyond 100 the depth scaling t -> t^k as a table (f32,
// dSize + 2 entries; 0: none) and the share of its strength-100 luma each pixel keeps.
const DEHAZE = 0;
const ADD_HAZE = 1;
const UNCHANGED = 2;
let mode = DEHAZE;
let depthLut: usize = 0;
let dSize: f32 = 0;
let kept: f32 = 1;

const LR: f32 = 0.2126;
const LG: f32 = 0.7152;
const LB: f32 = 0.0722;

export function setPlan(
  width_: i32,
  channels_: i32,
  sampleBytes: i32,
  netWidth_: i32,
  netHeight_: i32,
  planes_: usize,
  rowI0_: usize,
  rowI1_: usize,
  rowW_: usize,
  colW_: usize,
  runCol_: usize,
  runEnd_: usize,
  runs_: i32,
  scratch: usize,
  ar_: f32,
  ag_: f32,
  ab_: f32,
  t0_: f32,
  absK_: f32,
  protect_: f32,
): void {
  width = width_;
  channels = channels_;
  deep = sampleBytes == 2;
  netWidth = netWidth_;
  planeBytes = <usize>(netWidth_ * netHeight_ * 4);
  planes = planes_;
  rowI0 = rowI0_;
  rowI1 = rowI1_;
  rowW = rowW_;
  colW = colW_;
  runCol = runCol_;
  runEnd = runEnd_;
  runs = runs_;
  rowStride = ((width + 3) & ~3) + 4;
  netRow = scratch;
  hTop = netRow + <usize>(PLANES * (netWidth + 1) * 4 + 15) & ~<usize>15;
  hStep = hTop + <usize>(PLANES * rowStride * 4);
  tail = hStep + <usize>(PLANES * rowStride * 4);
  // New planes, perhaps.
  top = -1;
  bottom = -1;
  ar = ar_;
  ag = ag_;
  ab = ab_;
  t0 = t0_;
  absK = absK_;
  protect = protect_;
  scaleT = absK_ != 1;
}

/**
 * The slider curves of the render (after setPlan): render-tables.ts' transmissionLut, and
 * outputLut (8-bit) or exposureLut (16-bit), of oLength entries.
 */
export function setCurves(tLut_: usize, tLength: i32, oLut_: usize, oLength: i32): void {
  tLut = tLut_;
  tSize = <f32>(tLength - 2);
  oLut = oLut_;
  oScale = <f32>(deep ? oLength - 2 : oLength - 1);
}

/**
 * Strength's mode (after setPlan): DEHAZE (strength > 0; with a depth table beyond 100), ADD_HAZE
 * (< 0), UNCHANGED (0: exposure alone).
 */
export function setStrength(mode_: i32, depthLut_: usize, dLength: i32, kept_: f32): void {
  mode = mode_;
  depthLut = depthLut_;
  dSize = <f32>(dLength - 2);
  kept = kept_;
}

/** How many coefficient planes setPlan's `planes` holds (JS lays them out in this order). */
export function planeCount(): i32 {
  return <i32>PLANES;
}

/** Bytes of scratch setPlan needs after `scratch`. */
export function scratchBytes(width_: i32, netWidth_: i32): i32 {
  const stride = ((width_ + 3) & ~3) + 4;
  return ((<i32>PLANES * (netWidth_ + 1) * 4 + 15) & ~15) + 2 * <i32>PLANES * stride * 4 + 64;
}

/** netRow = network row r of the planes, its last column copied once more. */
function loadNetRow(r: i32): void {
  const n = <usize>netWidth;
  for (let c: usize = 0; c < PLANES; c++) {
    const out = netRow + c * (n + 1) * 4;
    memory.copy(out, planes + c * planeBytes + <usize>r * n * 4, n * 4);
    store<f32>(out + n * 4, load<f32>(out + (n - 1) * 4));
  }
}

/** `to` = netRow interpolated horizontally to every pixel, run by run, four columns at a time. */
function interpolateRow(to: usize): void {
  const n = <usize>netWidth;
  let x = 0;
  for (let k = 0; k < runs; k++) {
    const col = <usize>load<i32>(runCol + (<usize>k << 2));
    const end = load<i32>(runEnd + (<usize>k << 2));
    const start = x;
    for (let c: usize = 0; c < PLANES; c++) {
      const src = netRow + c * (n + 1) * 4 + col * 4;
      const v0 = load<f32>(src);
      const c0 = f32x4.splat(v0);
      const d = f32x4.splat(load<f32>(src + 4) - v0);
      const out = to + c * <usize>rowStride * 4;
      // Groups may reach past the run's end: the next run writes over those lanes.
      for (let xx = start; xx < end; xx += 4) {
        const w = v128.load(colW + (<usize>xx << 2));
        v128.store(out + (<usize>xx << 2), f32x4.add(c0, f32x4.mul(d, w)));
      }
    }
    x = end;
  }
}

/** Makes hTop and hStep those of output row y's network rows (unless they are already), and wy its weight. */
function prepareRow(y: i32): void {
  const r0 = load<i32>(rowI0 + (<usize>y << 2));
  const r1 = load<i32>(rowI1 + (<usize>y << 2));
  wy = load<f32>(rowW + (<usize>y << 2));
  if (r0 == top && r1 == bottom) return;
  top = r0;
  bottom = r1;
  loadNetRow(r0);
  interpolateRow(hTop);
  loadNetRow(r1);
  interpolateRow(hStep);
  const end = hStep + <usize>(PLANES * rowStride * 4);
  for (let p = hStep, q = hTop; p < end; p += 16, q += 16) v128.store(p, f32x4.sub(v128.load(p), v128.load(q)));
}

/** Plane c at the group of four pixels at byte offset `at` of the row: top + wy step. */
// @ts-ignore: decorator
@inline
function plane(at: usize, c: usize, vwy: v128): v128 {
  const o = at + c * (<usize>rowStride << 2);
  return f32x4.add(v128.load(hTop + o), f32x4.mul(vwy, v128.load(hStep + o)));
}

/** The luma of four pixels (engine/luma.ts' weights). */
// @ts-ignore: decorator
@inline
function lumaOf(r: v128, g: v128, b: v128): v128 {
  return f32x4.add(f32x4.add(f32x4.mul(f32x4.splat(LR), r), f32x4.mul(f32x4.splat(LG), g)), f32x4.mul(f32x4.splat(LB), b));
}

/** The curve sampled at `lut` (size + 2 f32) at t (0..1) for each lane, interpolated linearly between its samples. */
// @ts-ignore: decorator
@inline
function lookup(lut: usize, size: f32, t: v128): v128 {
  const f = f32x4.mul(t, f32x4.splat(size));
  const i = i32x4.trunc_sat_f32x4_s(f);
  const frac = f32x4.sub(f, f32x4.convert_i32x4_s(i));
  const p = i32x4.add(i32x4.splat(<i32>lut), i32x4.shl(i, 2));
  const p0 = <usize>i32x4.extract_lane(p, 0);
  const p1 = <usize>i32x4.extract_lane(p, 1);
  const p2 = <usize>i32x4.extract_lane(p, 2);
  const p3 = <usize>i32x4.extract_lane(p, 3);
  const lo = f32x4(load<f32>(p0), load<f32>(p1), load<f32>(p2), load<f32>(p3));
  const hi = f32x4(load<f32>(p0, 4), load<f32>(p1, 4), load<f32>(p2, 4), load<f32>(p3, 4));
  return f32x4.add(lo, f32x4.mul(frac, f32x4.sub(hi, lo)));
}

/**
 * J (clamped to 0..1) through exposure and quantisation, for each lane: output samples as i32
 * lanes. 16-bit interpolates the curve: a table of output samples would hold 13 bits at most.
 */
// @ts-ignore: decorator
@inline
function exposed(j: v128, wide: bool): v128 {
  const c = f32x4.pmin(f32x4.splat(1), f32x4.pmax(f32x4.splat(0), j));
  if (wide) return i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(lookup(oLut, oScale, c), f32x4.splat(65535)), f32x4.splat(0.5)));
  const i = i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(c, f32x4.splat(oScale)), f32x4.splat(0.5)));
  return i32x4(
    load<u8>(oLut + <usize>i32x4.extract_lane(i, 0)),
    load<u8>(oLut + <usize>i32x4.extract_lane(i, 1)),
    load<u8>(oLut + <usize>i32x4.extract_lane(i, 2)),
    load<u8>(oLut + <usize>i32x4.extract_lane(i, 3)),
  );
}

/**
 * Strength beyond 100 for each lane, given t at strength 100 and the base layer B: the depth
 * scaling t^k, no lower than the shadow bound (engine/adjustments.ts, shadowBound).
 */
// @ts-ignore: decorator
@inline
function beyond(t100: v128, bR: v128, bG: v128, bB: v128): v128 {
  const t = lookup(depthLut, dSize, t100);
  const luma = lumaOf(bR, bG, bB);
  const lumaA = f32x4.splat(LR * ar + LG * ag + LB * ab);
  const zero = f32x4.splat(0);
  const j100 = f32x4.add(lumaA, f32x4.div(f32x4.sub(luma, lumaA), t100));
  const room = f32x4.sub(lumaA, f32x4.mul(f32x4.splat(kept), f32x4.pmax(zero, j100)));
  const bound = f32x4.pmin(t100, f32x4.div(f32x4.sub(lumaA, luma), room));
  // Bounded where the pixel is darker than the airlight, t100 > 0 and there is room.
  const bounded = v128.and(v128.and(f32x4.lt(luma, lumaA), f32x4.gt(t100, zero)), f32x4.gt(room, zero));
  return v128.bitselect(f32x4.pmax(t, bound), t, bounded);
}

/**
 * Channel c (0..2) of a group of four pixels, 0..1: its samples widened to i32 lanes by a constant
 * shuffle (lanes 16.. read zero8 or, 16-bit, the group's second half `px2`), and converted as
 * signed: the samples are 0..255 or 0..65535 either way, and x64 has no unsigned conversion.
 */
// @ts-ignore: decorator
@inline
function sample(px: v128, px2: v128, c: i32, alpha: bool, wide: bool): v128 {
  const zero8 = i8x16.splat(0);
  let v: v128;
  if (wide && alpha) {
    if (c == 0) v = i8x16.shuffle(px, px2, 0, 1, 8, 9, 16, 17, 24, 25, 0, 0, 0, 0, 0, 0, 0, 0);
    else if (c == 1) v = i8x16.shuffle(px, px2, 2, 3, 10, 11, 18, 19, 26, 27, 0, 0, 0, 0, 0, 0, 0, 0);
    else v = i8x16.shuffle(px, px2, 4, 5, 12, 13, 20, 21, 28, 29, 0, 0, 0, 0, 0, 0, 0, 0);
    v = i32x4.extend_low_i16x8_u(v);
  } else if (wide) {
    if (c == 0) v = i8x16.shuffle(px, px2, 0, 1, 6, 7, 12, 13, 18, 19, 0, 0, 0, 0, 0, 0, 0, 0);
    else if (c == 1) v = i8x16.shuffle(px, px2, 2, 3, 8, 9, 14, 15, 20, 21, 0, 0, 0, 0, 0, 0, 0, 0);
    else v = i8x16.shuffle(px, px2, 4, 5, 10, 11, 16, 17, 22, 23, 0, 0, 0, 0, 0, 0, 0, 0);
    v = i32x4.extend_low_i16x8_u(v);
  } else if (alpha) {
    if (c == 0) v = i8x16.shuffle(px, zero8, 0, 16, 16, 16, 4, 16, 16, 16, 8, 16, 16, 16, 12, 16, 16, 16);
    else if (c == 1) v = i8x16.shuffle(px, zero8, 1, 16, 16, 16, 5, 16, 16, 16, 9, 16, 16, 16, 13, 16, 16, 16);
    else v = i8x16.shuffle(px, zero8, 2, 16, 16, 16, 6, 16, 16, 16, 10, 16, 16, 16, 14, 16, 16, 16);
  } else {
    if (c == 0) v = i8x16.shuffle(px, zero8, 0, 16, 16, 16, 3, 16, 16, 16, 6, 16, 16, 16, 9, 16, 16, 16);
    else if (c == 1) v = i8x16.shuffle(px, zero8, 1, 16, 16, 16, 4, 16, 16, 16, 7, 16, 16, 16, 10, 16, 16, 16);
    else v = i8x16.shuffle(px, zero8, 2, 16, 16, 16, 5, 16, 16, 16, 8, 16, 16, 16, 11, 16, 16, 16);
  }
  return f32x4.mul(f32x4.convert_i32x4_s(v), f32x4.splat(wide ? <f32>1 / 65535 : <f32>1 / 255));
}

/** t of each lane from its luma: clamp(a luma + b), then distance and strength up to 100 (tLut, or |k| alone). */
// @ts-ignore: decorator
@inline
function curvedT(at: usize, vwy: v128, luma: v128): v128 {
  const one = f32x4.splat(1);
  let t = f32x4.add(f32x4.mul(plane(at, 0, vwy), luma), plane(at, 1, vwy));
  t = f32x4.pmin(one, f32x4.pmax(f32x4.splat(0), t));
  if (tLut != 0) t = lookup(tLut, tSize, t);
  else if (scaleT) t = f32x4.sub(one, f32x4.mul(f32x4.splat(absK), f32x4.sub(one, t)));
  return t;
}

/** The base layer B of channel c (its value v) for each lane: a v + b. */
// @ts-ignore: decorator
@inline
function baseLayer(at: usize, vwy: v128, c: usize, v: v128): v128 {
  return f32x4.add(f32x4.mul(plane(at, 3 + 2 * c, vwy), v), plane(at, 4 + 2 * c, vwy));
}

// @ts-ignore: decorator
@inline
function dehazeGroup(src: usize, dst: usize, x: i32, alpha: bool, wide: bool): void {
  const px = v128.load(src);
  // 16-bit: the group's second half (RGB: 8 bytes of it, and 8 read past it).
  const px2 = wide ? v128.load(src, 16) : px;
  let r = sample(px, px2, 0, alpha, wide);
  let g = sample(px, px2, 1, alpha, wide);
  let b = sample(px, px2, 2, alpha, wide);
  const at = <usize>x << 2;
  const vwy = f32x4.splat(wy);
  const one = f32x4.splat(1);
  // Strength 0 (exposure alone): the pixels go to the output as they are.
  if (mode != UNCHANGED) {
    const luma = lumaOf(r, g, b);
    let t = curvedT(at, vwy, luma);
    const m = plane(at, 2, vwy);
    const masked = protect != 0 && v128.any_true(m);
    if (mode == ADD_HAZE) {
      // The scattering model run forwards: I + (A - I)(1 - t), protect holding back its colour.
      const u = f32x4.sub(one, t);
      const dR = f32x4.sub(f32x4.splat(ar), r);
      const dG = f32x4.sub(f32x4.splat(ag), g);
      const dB = f32x4.sub(f32x4.splat(ab), b);
      if (masked) {
        const up = f32x4.mul(f32x4.sub(one, f32x4.mul(f32x4.splat(protect), m)), u);
        const dL = lumaOf(dR, dG, dB);
        const lumaPart = f32x4.mul(dL, f32x4.sub(u, up));
        r = f32x4.add(f32x4.add(r, f32x4.mul(dR, up)), lumaPart);
        g = f32x4.add(f32x4.add(g, f32x4.mul(dG, up)), lumaPart);
        b = f32x4.add(f32x4.add(b, f32x4.mul(dB, up)), lumaPart);
      } else {
        r = f32x4.add(r, f32x4.mul(dR, u));
        g = f32x4.add(g, f32x4.mul(dG, u));
        b = f32x4.add(b, f32x4.mul(dB, u));
      }
    } else {
      // The base layer B, and D = B - A.
      const bR = baseLayer(at, vwy, 0, r);
      const bG = baseLayer(at, vwy, 1, g);
      const bB = baseLayer(at, vwy, 2, b);
      if (depthLut != 0) t = beyond(t, bR, bG, bB);
      const vt0 = f32x4.splat(t0);
      const s1 = f32x4.sub(f32x4.div(one, f32x4.pmax(vt0, t)), one);
      const dR = f32x4.sub(bR, f32x4.splat(ar));
      const dG = f32x4.sub(bG, f32x4.splat(ag));
      const dB = f32x4.sub(bB, f32x4.splat(ab));
      if (masked) {
        const tp = f32x4.add(t, f32x4.mul(f32x4.mul(f32x4.splat(protect), m), f32x4.sub(one, t)));
        const sp = f32x4.sub(f32x4.div(one, f32x4.pmax(vt0, tp)), one);
        const dL = lumaOf(dR, dG, dB);
        const lumaPart = f32x4.mul(dL, f32x4.sub(s1, sp));
        r = f32x4.add(f32x4.add(r, f32x4.mul(dR, sp)), lumaPart);
        g = f32x4.add(f32x4.add(g, f32x4.mul(dG, sp)), lumaPart);
        b = f32x4.add(f32x4.add(b, f32x4.mul(dB, sp)), lumaPart);
      } else {
        r = f32x4.add(r, f32x4.mul(dR, s1));
        g = f32x4.add(g, f32x4.mul(dG, s1));
        b = f32x4.add(b, f32x4.mul(dB, s1));
      }
    }
  }
  // Quantise: through the exposure curve, or J max + 0.5, truncated and clamped to 0..max (the
  // saturating narrowings clamp).
  let qr: v128;
  let qg: v128;
  let qb: v128;
  if (oLut != 0) {
    qr = exposed(r, wide);
    qg = exposed(g, wide);
    qb = exposed(b, wide);
  } else {
    const vmax = f32x4.splat(wide ? 65535 : 255);
    const half = f32x4.splat(0.5);
    qr = i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(r, vmax), half));
    qg = i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(g, vmax), half));
    qb = i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(b, vmax), half));
  }
  if (wide) {
    // u16 lanes: R0..R3 G0..G3, and B0..B3 then zeros (or, with alpha, the group's own alphas).
    const rg = i16x8.narrow_i32x4_u(qr, qg);
    const bz = i16x8.narrow_i32x4_u(qb, i32x4.splat(0));
    if (alpha) {
      const ba = i8x16.shuffle(bz, i8x16.shuffle(px, px2, 6, 7, 14, 15, 22, 23, 30, 31, 0, 0, 0, 0, 0, 0, 0, 0), 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
      v128.store(dst, i8x16.shuffle(rg, ba, 0, 1, 8, 9, 16, 17, 24, 25, 2, 3, 10, 11, 18, 19, 26, 27));
      v128.store(dst, i8x16.shuffle(rg, ba, 4, 5, 12, 13, 20, 21, 28, 29, 6, 7, 14, 15, 22, 23, 30, 31), 16);
    } else {
      // Exactly 24 bytes: in place, the next group's pixels are still to be read.
      v128.store(dst, i8x16.shuffle(rg, bz, 0, 1, 8, 9, 16, 17, 2, 3, 10, 11, 18, 19, 4, 5, 12, 13));
      v128.store64_lane(dst, i8x16.shuffle(rg, bz, 20, 21, 6, 7, 14, 15, 22, 23, 0, 0, 0, 0, 0, 0, 0, 0), 0, 16);
    }
    return;
  }
  const planar = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(qr, qg), i16x8.narrow_i32x4_s(qb, i32x4.splat(0)));
  if (alpha) {
    v128.store(dst, i8x16.shuffle(planar, px, 0, 4, 8, 19, 1, 5, 9, 23, 2, 6, 10, 27, 3, 7, 11, 31));
  } else {
    const rgb = i8x16.shuffle(planar, planar, 0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11, 12, 12, 12, 12);
    // Exactly 12 bytes: in place, the next group's pixels are still to be read.
    v128.store64_lane(dst, rgb, 0);
    v128.store32_lane(dst, rgb, 2, 8);
  }
}

/** One row in place (after prepareRow): its groups of four pixels, then the last 1 to 3 through a scratch group. */
// @ts-ignore: decorator
@inline
function dehazeRow(row: usize, alpha: bool, wide: bool): void {
  const step = <usize>(channels << (wide ? 3 : 2));
  const full = width & ~3;
  let p = row;
  for (let x = 0; x < full; x += 4, p += step) dehazeGroup(p, p, x, alpha, wide);
  if (full < width) {
    // Through the scratch group, so that nothing past the row is written.
    const bytes = <usize>((width - full) * channels) << (wide ? 1 : 0);
    memory.copy(tail, p, bytes);
    dehazeGroup(tail, tail, full, alpha, wide);
    memory.copy(p, tail, bytes);
  }
}

/**
 * Dehazes rows y0..y1 of the image in place: `band` holds them (width x channels samples each, of
 * 1 or 2 bytes) followed by 16 bytes of slack.
 */
export function dehazeBand(band: usize, y0: i32, y1: i32): void {
  const rowBytes = <usize>(width * channels) << (deep ? 1 : 0);
  const alpha = channels == 4;
  for (let y = y0; y < y1; y++) {
    if (mode != UNCHANGED) prepareRow(y);
    const row = band + <usize>(y - y0) * rowBytes;
    if (deep) {
      if (alpha) dehazeRow(row, true, true);
      else dehazeRow(row, false, true);
    } else if (alpha) {
      dehazeRow(row, true, false);
    } else {
      dehazeRow(row, false, false);
    }
  }
}

/**
 * The transmission after the sliders (the luma's: protect acts on colour only) of a group of four
 * pixels at `src`, as the render recovers the luma with it (dehazeGroup).
 */
// @ts-ignore: decorator
@inline
function mapGroup(src: usize, x: i32, alpha: bool, wide: bool): v128 {
  const px = v128.load(src);
  const px2 = wide ? v128.load(src, 16) : px;
  const r = sample(px, px2, 0, alpha, wide);
  const g = sample(px, px2, 1, alpha, wide);
  const b = sample(px, px2, 2, alpha, wide);
  const at = <usize>x << 2;
  const vwy = f32x4.splat(wy);
  const luma = lumaOf(r, g, b);
  const t = curvedT(at, vwy, luma);
  if (mode != DEHAZE || depthLut == 0) return t;
  return beyond(t, baseLayer(at, vwy, 0, r), baseLayer(at, vwy, 1, g), baseLayer(at, vwy, 2, b));
}

/** One row of the haze map (after prepareRow): grey 8-bit pixels of `outChannels` (alpha 255) at `out`. */
// @ts-ignore: decorator
@inline
function mapRow(row: usize, out: usize, outChannels: i32, alpha: bool, wide: bool): void {
  const step = <usize>(channels << (wide ? 3 : 2));
  const full = width & ~3;
  let p = row;
  for (let x = 0; x < width; x += 4, p += step) {
    let src = p;
    if (x >= full) {
      // The last 1 to 3 pixels: read through the scratch group, nothing past the row.
      memory.copy(tail, p, <usize>((width - full) * channels) << (wide ? 1 : 0));
      src = tail;
    }
    const grey = i32x4.trunc_sat_f32x4_s(f32x4.add(f32x4.mul(mapGroup(src, x, alpha, wide), f32x4.splat(255)), f32x4.splat(0.5)));
    // Bytes g0..g3 (the saturating narrowings clamp), each repeated for R, G, B (and alpha 255).
    const g = i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_s(grey, grey), i16x8.narrow_i32x4_s(grey, grey));
    const o = out + <usize>(x * outChannels);
    if (x < full && outChannels == 4) {
      v128.store(o, v128.or(i8x16.shuffle(g, g, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3), i32x4.splat(0xff000000)));
    } else if (x < full) {
      const rgb = i8x16.shuffle(g, g, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3, 3, 3);
      v128.store64_lane(o, rgb, 0);
      v128.store32_lane(o, rgb, 2, 8);
    } else {
      for (let i = 0; x + i < width; i++) {
        const v = i8x16.extract_lane_u(i8x16.swizzle(g, i8x16.splat(<i8>i)), 0);
        const q = o + <usize>(i * outChannels);
        store<u8>(q, v);
        store<u8>(q, v, 1);
        store<u8>(q, v, 2);
        if (outChannels == 4) store<u8>(q, 255, 3);
      }
    }
  }
}

/**
 * The haze map of rows y0..y1: `band` holds them as dehazeBand's does; their grey pixels, of
 * `outChannels` bytes (3 or 4), go to `out`. White where no haze is removed (strength 0 too).
 */
export function hazeMapBand(band: usize, out: usize, outChannels: i32, y0: i32, y1: i32): void {
  const rowBytes = <usize>(width * channels) << (deep ? 1 : 0);
  const outBytes = <usize>(width * outChannels);
  const alpha = channels == 4;
  for (let y = y0; y < y1; y++) {
    const o = out + <usize>(y - y0) * outBytes;
    if (mode == UNCHANGED) {
      memory.fill(o, 255, outBytes);
      continue;
    }
    prepareRow(y);
    const row = band + <usize>(y - y0) * rowBytes;
    if (deep) {
      if (alpha) mapRow(row, o, outChannels, true, true);
      else mapRow(row, o, outChannels, false, true);
    } else if (alpha) {
      mapRow(row, o, outChannels, true, false);
    } else {
      mapRow(row, o, outChannels, false, false);
    }
  }
}

/** Where memory free for JS's layout begins. */
export function heapBase(): usize {
  return __heap_base;
}

/**
 * One output row of the exact area downscale (area-downscale.ts, adaptive_avg_pool2d) of 8-bit
 * pixels: `rows` input rows at `band` (rowBytes each, 16 bytes of slack after the last) summed
 * per sample, then over each output column's bin [from[j], to[j]) of input columns, written as
 * planar float RGB (3 x outWidth f32 at `out`), and with 4 channels the mean alpha of each bin at
 * `alphaOut` (outWidth f32; 0: not asked). The sums are exact integers, and the mean is formed
 * in double precision as the JS does, so both give the same floats.
 */
export function downscaleRow(
  band: usize,
  rows: i32,
  rowBytes: i32,
  channels: i32,
  from: usize,
  to: usize,
  outWidth: i32,
  out: usize,
  acc32: usize,
  alphaOut: usize,
): void {
  const groups = <usize>((rowBytes + 15) >> 4);
  const stride = <usize>rowBytes;
  memory.fill(acc32, 0, groups << 6);
  // Each group of 16 samples summed down the rows in registers; u16 sums hold 256 rows of 255 at
  // most: longer bins go to the u32 sums in chunks.
  for (let first = 0; first < rows; first += 256) {
    const last = min(rows, first + 256);
    const top = band + <usize>first * stride;
    const bottom = band + <usize>last * stride;
    for (let g: usize = 0; g < groups; g++) {
      let lo = i16x8.splat(0);
      let hi = i16x8.splat(0);
      for (let p = top + (g << 4); p < bottom; p += stride) {
        const v = v128.load(p);
        lo = i16x8.add(lo, i16x8.extend_low_i8x16_u(v));
        hi = i16x8.add(hi, i16x8.extend_high_i8x16_u(v));
      }
      const a = acc32 + (g << 6);
      v128.store(a, i32x4.add(v128.load(a), i32x4.extend_low_i16x8_u(lo)));
      v128.store(a + 16, i32x4.add(v128.load(a + 16), i32x4.extend_high_i16x8_u(lo)));
      v128.store(a + 32, i32x4.add(v128.load(a + 32), i32x4.extend_low_i16x8_u(hi)));
      v128.store(a + 48, i32x4.add(v128.load(a + 48), i32x4.extend_high_i16x8_u(hi)));
    }
  }
  const ch = <usize>channels;
  for (let j: usize = 0; j < <usize>outWidth; j++) {
    const x0 = <usize>load<i32>(from + (j << 2));
    const x1 = <usize>load<i32>(to + (j << 2));
    let sr: u32 = 0;
    let sg: u32 = 0;
    let sb: u32 = 0;
    let sa: u32 = 0;
    for (let p = acc32 + ((x0 * ch) << 2), end = acc32 + ((x1 * ch) << 2); p < end; p += ch << 2) {
      sr += load<u32>(p);
      sg += load<u32>(p, 4);
      sb += load<u32>(p, 8);
      if (ch == 4) sa += load<u32>(p, 12);
    }
    const norm: f64 = 1 / (<f64>rows * <f64>(x1 - x0) * 255);
    store<f32>(out + (j << 2), <f32>(<f64>sr * norm));
    store<f32>(out + ((<usize>outWidth + j) << 2), <f32>(<f64>sg * norm));
    store<f32>(out + ((<usize>(2 * outWidth) + j) << 2), <f32>(<f64>sb * norm));
    if (alphaOut != 0) store<f32>(alphaOut + (j << 2), <f32>(<f64>sa * norm));
  }
}
