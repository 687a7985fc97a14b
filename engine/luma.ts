/** Rec. 709 luma weights applied to the sRGB-encoded values: the guided filter's guide. */
export const LUMA_R = 0.2126;
export const LUMA_G = 0.7152;
export const LUMA_B = 0.0722;
