import type { FormatFacts } from './format';

/** Written losslessly (deflate), so 16-bit photos stay 16-bit. */
export const tiff = {
  id: 'tiff',
  label: 'TIFF',
  mime: 'image/tiff',
  extensions: ['.tif', '.tiff'],
  sixteenBit: true,
  lossy: false,
  defaultQuality: null,
} as const satisfies FormatFacts<'tiff'>;
