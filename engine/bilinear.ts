/**
 * Source taps for bilinear resampling with half-pixel centres (align_corners=False), as PyTorch:
 * src = (dst + 0.5) * in/out - 0.5, clamped at 0; the second tap stays inside the input.
 * `offset` shifts the destination range (rendering a region of a larger picture).
 */
export interface AxisTaps {
  i0: Int32Array;
  i1: Int32Array;
  w1: Float64Array;
}

export function bilinearTaps(inSize: number, outSize: number, offset: number, count: number): AxisTaps {
  const i0 = new Int32Array(count);
  const i1 = new Int32Array(count);
  const w1 = new Float64Array(count);
  const scale = inSize / outSize;
  for (let k = 0; k < count; k++) {
    let src = (offset + k + 0.5) * scale - 0.5;
    if (src < 0) src = 0;
    let lo = Math.floor(src);
    if (lo > inSize - 1) lo = inSize - 1;
    i0[k] = lo;
    i1[k] = lo < inSize - 1 ? lo + 1 : lo;
    w1[k] = Math.min(1, src - lo);
  }
  return { i0, i1, w1 };
}
