/** The formats Hazeless reads and writes, and lookups by id, extension and MIME type. */
import { avif } from './avif';
import type { FormatFacts } from './format';
import { jpeg } from './jpeg';
import { png } from './png';
import { tiff } from './tiff';
import { webp } from './webp';

export type { FormatFacts } from './format';
export { avif, jpeg, png, tiff, webp };

/** Every format, in the order menus and --help list them. */
export const FORMATS = [jpeg, png, webp, avif, tiff] as const;
export type ImageFormat = (typeof FORMATS)[number]['id'];
export const FORMAT_IDS: readonly ImageFormat[] = FORMATS.map((f) => f.id);

const byId = new Map<string, FormatFacts<ImageFormat>>(FORMATS.map((f) => [f.id, f]));

export function isImageFormat(s: string): s is ImageFormat {
  return byId.has(s);
}

export function formatFacts(format: ImageFormat): FormatFacts<ImageFormat> {
  return byId.get(format)!;
}

/** Labels as a sentence lists them: "JPEG, PNG and WebP". */
export function listLabels(formats: readonly ImageFormat[]): string {
  const names = formats.map((f) => formatFacts(f).label);
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} and ${names.at(-1)}`;
}

/** Every extension of every format, lower case with the dot. */
export const IMAGE_EXTENSIONS: readonly string[] = FORMATS.flatMap((f) => f.extensions);

/** The extension of a file name or path, lower case with the dot ('' when it has none). */
function extensionOf(file: string): string {
  const name = file.slice(Math.max(file.lastIndexOf('/'), file.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot).toLowerCase() : '';
}

/** The format a file name suggests, if any (the content decides when decoding). */
export function formatFromExtension(file: string): ImageFormat | undefined {
  const ext = extensionOf(file);
  return FORMATS.find((f) => (f.extensions as readonly string[]).includes(ext))?.id;
}

/** True when the file name looks like one of our formats (folder scans use this; decoding checks the content). */
export function hasImageExtension(file: string): boolean {
  return formatFromExtension(file) !== undefined;
}

export function formatFromMime(mime: string): ImageFormat | undefined {
  return FORMATS.find((f) => f.mime === mime.toLowerCase())?.id;
}
