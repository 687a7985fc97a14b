/** Python's round(): halves go to the even neighbour. */
export function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Size of the network input: the long side is at most maxSide, never upscaled. */
export function networkSize(height: number, width: number, maxSide: number): { height: number; width: number } {
  const scale = Math.min(1, maxSide / Math.max(height, width));
  return { height: Math.max(1, roundHalfEven(height * scale)), width: Math.max(1, roundHalfEven(width * scale)) };
}

/** Bottom/right padding that brings a size to a multiple of `multiple`. */
export function paddedSize(size: number, multiple: number): number {
  return Math.ceil(size / multiple) * multiple;
}
