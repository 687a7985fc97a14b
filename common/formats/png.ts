import type { FormatFacts } from './format';

export const png = {
  id: 'png',
  label: 'PNG',
  mime: 'image/png',
  extensions: ['.png'],
  sixteenBit: true,
  lossy: false,
  defaultQuality: null,
} as const satisfies FormatFacts<'png'>;
