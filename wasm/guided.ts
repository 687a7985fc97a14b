// AssemblyScript, compiled with wasm/dehaze.ts into one module (engine/dehaze-wasm.ts): the
// estimate's work at network size after the network (engine/guided-filter.ts,
// engine/protect-mask.ts, engine/airlight-floor.ts): the luma guide, box means over clipped
// windows, the fast guided filter's coefficients, the protect mask, the median depth and the
// airlight floor's bound, in double precision, agreeing with training/hazeless/recon.py (float32)
// to about 1e-4; the JS keeps no copy of this math. Here it runs compiled from a thread's first
// call on, where JS runs interpreted for a new export thread's first photos (100 ms and more
// while the JIT catches up).
//
// JS owns the memory layout: it passes the pointers of planes it has laid out with claim().

const LR: f64 = 0.2126;
const LG: f64 = 0.7152;
const LB: f64 = 0.0722;

/** Luma of planar f32 RGB (3 x n at rgb) as f64 (n at out). */
export function planarLuma(rgb: usize, n: i32, out: usize): void {
  const g = rgb + (<usize>n << 2);
  const b = g + (<usize>n << 2);
  for (let i: usize = 0; i < <usize>n; i++) {
    const o = i << 2;
    store<f64>(out + (i << 3), LR * <f64>load<f32>(rgb + o) + LG * <f64>load<f32>(g + o) + LB * <f64>load<f32>(b + o));
  }
}

/** Bytes of scratch boxMean needs for planes of width w. */
export function boxScratchBytes(h: i32, w: i32): usize {
  return (<usize>(w + 1) + <usize>(h + 1) * <usize>w) << 3;
}

/**
 * Mean over (2r+1)^2 windows clipped at the borders (divided by the pixels inside), of an f64
 * plane h x w at src into out (which may not be src). Both passes walk memory row by row: the
 * horizontal one with a prefix sum of the row, the vertical one over a prefix table of whole
 * rows (one leading row of zeros).
 */
export function boxMean(src: usize, h: i32, w: i32, r: i32, out: usize, scratch: usize): void {
  const n = <usize>h * <usize>w;
  if (r <= 0) {
    memory.copy(out, src, n << 3);
    return;
  }
  const prefix = scratch;
  const colPrefix = scratch + (<usize>(w + 1) << 3);
  store<f64>(prefix, 0);
  memory.fill(colPrefix, 0, <usize>w << 3);
  for (let y = 0; y < h; y++) {
    const base = <usize>y * <usize>w;
    const srcRow = src + (base << 3);
    for (let x = 0; x < w; x++) {
      const p = prefix + (<usize>x << 3);
      store<f64>(p, load<f64>(p) + load<f64>(srcRow + (<usize>x << 3)), 8);
    }
    const up = colPrefix + (base << 3);
    const row = up + (<usize>w << 3);
    for (let x = 0; x < w; x++) {
      const lo = x - r > 0 ? x - r : 0;
      const hi = x + r + 1 < w ? x + r + 1 : w;
      const sum = load<f64>(prefix + (<usize>hi << 3)) - load<f64>(prefix + (<usize>lo << 3));
      store<f64>(row + (<usize>x << 3), load<f64>(up + (<usize>x << 3)) + sum / <f64>(hi - lo));
    }
  }
  for (let y = 0; y < h; y++) {
    const lo = y - r > 0 ? y - r : 0;
    const hi = y + r + 1 < h ? y + r + 1 : h;
    const count = <f64>(hi - lo);
    const top = colPrefix + ((<usize>lo * <usize>w) << 3);
    const bottom = colPrefix + ((<usize>hi * <usize>w) << 3);
    const dst = out + ((<usize>y * <usize>w) << 3);
    for (let x: usize = 0; x < <usize>w; x++) {
      const o = x << 3;
      store<f64>(dst + o, (load<f64>(bottom + o) - load<f64>(top + o)) / count);
    }
  }
}

/** Bytes of scratch guidedCoefficients needs. */
export function guidedScratchBytes(h: i32, w: i32): usize {
  return ((<usize>h * <usize>w * 6) << 3) + boxScratchBytes(h, w);
}

/**
 * Fast guided filter coefficients (f64 planes h x w): a = cov(g,t)/(var(g)+eps), b = mean(t) -
 * a mean(g), both box-averaged, into a and b; with the box means of g and t and the variance of g
 * that the protect mask and the airlight floor read. guide == t: the plane guides itself (two box
 * means, not four).
 */
export function guidedCoefficients(
  guide: usize,
  t: usize,
  h: i32,
  w: i32,
  r: i32,
  eps: f64,
  a: usize,
  b: usize,
  meanG: usize,
  varG: usize,
  meanT: usize,
  scratch: usize,
): void {
  const n = <usize>h * <usize>w;
  const bytes = n << 3;
  const self = guide == t;
  const gg = scratch;
  const gt = gg + bytes;
  const meanGG = gt + bytes;
  const meanGT = meanGG + bytes;
  const rawA = meanGT + bytes;
  const rawB = rawA + bytes;
  const box = rawB + bytes;
  for (let i: usize = 0; i < n; i++) {
    const g = load<f64>(guide + (i << 3));
    store<f64>(gg + (i << 3), g * g);
  }
  if (!self) for (let i: usize = 0; i < n; i++) store<f64>(gt + (i << 3), load<f64>(guide + (i << 3)) * load<f64>(t + (i << 3)));
  boxMean(guide, h, w, r, meanG, box);
  if (self) memory.copy(meanT, meanG, bytes);
  else boxMean(t, h, w, r, meanT, box);
  boxMean(gg, h, w, r, meanGG, box);
  if (self) memory.copy(meanGT, meanGG, bytes);
  else boxMean(gt, h, w, r, meanGT, box);
  for (let i: usize = 0; i < n; i++) {
    const o = i << 3;
    const mg = load<f64>(meanG + o);
    const mt = load<f64>(meanT + o);
    const cov = load<f64>(meanGT + o) - mg * mt;
    const v = load<f64>(meanGG + o) - mg * mg;
    store<f64>(varG + o, v);
    const ai = cov / (v + eps);
    store<f64>(rawA + o, ai);
    store<f64>(rawB + o, mt - ai * mg);
  }
  boxMean(rawA, h, w, r, a, box);
  boxMean(rawB, h, w, r, b, box);
}

function smoothstep(lo: f64, hi: f64, x: f64): f64 {
  const u = min<f64>(1, max<f64>(0, (x - lo) / (hi - lo)));
  return u * u * (3 - 2 * u);
}

/**
 * The protect mask (engine/protect-mask.ts) as f64 at out: bright relative to the airlight's luma
 * and locally flat, box-averaged once more so its edges stay soft. scratch: n f64 and boxMean's.
 */
export function protectMask(meanG: usize, varG: usize, lumaA: f64, h: i32, w: i32, r: i32, out: usize, scratch: usize): void {
  const n = <usize>h * <usize>w;
  for (let i: usize = 0; i < n; i++) {
    const o = i << 3;
    const bright = smoothstep(0.6, 0.9, load<f64>(meanG + o) / lumaA);
    const flat = 1 - smoothstep(0.008, 0.04, sqrt<f64>(max<f64>(0, load<f64>(varG + o))));
    store<f64>(scratch + o, bright * flat);
  }
  boxMean(scratch, h, w, r, out, scratch + (n << 3));
}

/**
 * The k-th smallest of n values at a (f32 or f64), which it rearranges (Hoare's select: everything
 * before k is then no larger). NaN counts as 0: in t, the smallest t (the largest depth).
 */
function selectOf<T>(a: usize, n: i32, k: i32): T {
  const size = <usize>sizeof<T>();
  for (let i: usize = 0; i < <usize>n; i++) {
    const v = load<T>(a + i * size);
    if (v != v) store<T>(a + i * size, <T>0);
  }
  let lo = 0;
  let hi = n - 1;
  while (hi > lo) {
    const pivot = load<T>(a + <usize>((lo + hi) >> 1) * size);
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (load<T>(a + <usize>i * size) < pivot) i++;
      while (load<T>(a + <usize>j * size) > pivot) j--;
      if (i <= j) {
        const pi = a + <usize>i * size;
        const pj = a + <usize>j * size;
        const tmp = load<T>(pi);
        store<T>(pi, load<T>(pj));
        store<T>(pj, tmp);
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else break;
  }
  return load<T>(a + <usize>k * size);
}

/** selectOf for f32 values (the median depth's t). */
export function select(a: usize, n: i32, k: i32): f32 {
  return selectOf<f32>(a, n, k);
}

/** The largest of the first n f32 values at a (n >= 1). */
export function largest(a: usize, n: i32): f32 {
  let m = load<f32>(a);
  for (let i = 1; i < n; i++) {
    const v = load<f32>(a + (<usize>i << 2));
    if (v > m) m = v;
  }
  return m;
}

/**
 * The airlight floor's bound (engine/airlight-floor.ts): over the windows whose mean t is below
 * maxT, the luma the airlight needs for J <= 1, (mean luma - mean t) / (1 - mean t); of those, the
 * one that all but k - 1 meet (the k-th largest). NaN where fewer than k windows count. scratch:
 * n f64.
 */
export function airlightBound(meanLuma: usize, meanT: usize, n: i32, maxT: f64, k: i32, scratch: usize): f64 {
  let finite = 0;
  let nan = 0;
  for (let i: usize = 0; i < <usize>n; i++) {
    const t = load<f64>(meanT + (i << 3));
    if (t < maxT) {
      const bound = (load<f64>(meanLuma + (i << 3)) - t) / max<f64>(1 - t, 1e-6);
      if (bound != bound) {
        nan++;
      } else {
        store<f64>(scratch + (<usize>finite << 3), bound);
        finite++;
      }
    }
  }
  // NaN bounds rank above every other (as a sort puts them last): k of them give NaN.
  const count = finite + nan;
  if (count < k || nan >= k) return NaN;
  return selectOf<f64>(scratch, finite, count - k);
}
