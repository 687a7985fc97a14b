import type { FormatFacts } from './format';

export const jpeg = {
  id: 'jpeg',
  label: 'JPEG',
  mime: 'image/jpeg',
  extensions: ['.jpg', '.jpeg', '.jpe', '.jfif'],
  sixteenBit: false,
  lossy: true,
  defaultQuality: 92,
} as const satisfies FormatFacts<'jpeg'>;
