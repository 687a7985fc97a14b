/** Rec. 709 luma weights applied to the sRGB-encoded values: the guided filter's guide. */
export const LUMA_R = 0.2126;
export const LUMA_G = 0.7152;
export const LUMA_B = 0.0722;

/** The luma of a colour (an airlight), with the weights above. */
export function lumaOf(c: readonly [number, number, number]): number {
  return LUMA_R * c[0] + LUMA_G * c[1] + LUMA_B * c[2];
}
