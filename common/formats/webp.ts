import type { FormatFacts } from './format';

export const webp = {
  id: 'webp',
  label: 'WebP',
  mime: 'image/webp',
  extensions: ['.webp'],
  sixteenBit: false,
  lossy: true,
  defaultQuality: 90,
} as const satisfies FormatFacts<'webp'>;
