/** Which files count as photos when a folder is opened or dropped. */
import { IMAGE_EXTENSIONS } from '../../../common/formats/index';

// Browser mode decodes with the browser, which also reads BMP and GIF (the desktop app and the
// CLI decode with sharp and take only the formats in common/formats/).
const extensions = new Set<string>([...IMAGE_EXTENSIONS, '.bmp', '.gif']);

export function looksLikePhoto(name: string, mimeType = ''): boolean {
  if (mimeType.startsWith('image/')) return true;
  const dot = name.lastIndexOf('.');
  return dot >= 0 && extensions.has(name.slice(dot).toLowerCase());
}

export const ACCEPT = ['image/*', ...extensions].join(',');

/** Natural order ("img2" before "img10"), the order people expect in a filmstrip. */
export const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' }).compare;
