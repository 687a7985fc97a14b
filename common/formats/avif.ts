import type { FormatFacts } from './format';

/** AV1 in a HEIF container. sharp's prebuilt libvips writes it at 8 bits per sample only. */
export const avif = {
  id: 'avif',
  label: 'AVIF',
  mime: 'image/avif',
  extensions: ['.avif'],
  sixteenBit: false,
  lossy: true,
  // AV1's quality scale is steeper than JPEG's: 65 looks like JPEG's 90 at a fraction of the size.
  defaultQuality: 65,
} as const satisfies FormatFacts<'avif'>;
