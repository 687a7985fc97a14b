import path from 'node:path';

/** The formats Hazeless reads and writes. */
export const IMAGE_FORMATS = ['jpeg', 'png', 'webp', 'avif', 'tiff'] as const;
export type ImageFormat = (typeof IMAGE_FORMATS)[number];

/** Formats that can hold 16 bits per sample; the others are written as 8-bit. */
const SIXTEEN_BIT_FORMATS: ReadonlySet<ImageFormat> = new Set(['png', 'tiff']);
const LOSSY_FORMATS: ReadonlySet<ImageFormat> = new Set(['jpeg', 'webp', 'avif']);

const EXTENSIONS: Record<ImageFormat, readonly string[]> = {
  jpeg: ['.jpg', '.jpeg', '.jpe'],
  png: ['.png'],
  webp: ['.webp'],
  avif: ['.avif'],
  tiff: ['.tif', '.tiff'],
};

export function isImageFormat(s: string): s is ImageFormat {
  return (IMAGE_FORMATS as readonly string[]).includes(s);
}

export function supports16Bit(format: ImageFormat): boolean {
  return SIXTEEN_BIT_FORMATS.has(format);
}

export function isLossy(format: ImageFormat): boolean {
  return LOSSY_FORMATS.has(format);
}

/** True when the file name looks like one of our formats (folder scans use this; decoding checks the content). */
export function hasImageExtension(file: string): boolean {
  const ext = path.extname(file).toLowerCase();
  return Object.values(EXTENSIONS).some((list) => list.includes(ext));
}

/**
 * The extension for an output file: the input's own spelling when the format is unchanged
 * (photo.JPEG stays .JPEG), otherwise the usual one.
 */
export function extensionFor(format: ImageFormat, inputPath?: string): string {
  if (inputPath) {
    const ext = path.extname(inputPath);
    if (EXTENSIONS[format].includes(ext.toLowerCase())) return ext;
  }
  return EXTENSIONS[format][0];
}

/**
 * Maps sharp's container name to ours. sharp reports AVIF as "heif" (with compression "av1");
 * HEIC (HEVC) is not decodable by sharp's prebuilt libvips, so it is not accepted.
 */
export function formatFromSharp(format: string | undefined, compression?: string): ImageFormat | undefined {
  switch (format) {
    case 'jpeg':
    case 'png':
    case 'webp':
    case 'tiff':
      return format;
    case 'heif':
      return compression === undefined || compression === 'av1' ? 'avif' : undefined;
    default:
      return undefined;
  }
}

/** The format a file name suggests, if any (the content decides when decoding). */
export function formatFromExtension(file: string): ImageFormat | undefined {
  const ext = path.extname(file).toLowerCase();
  return IMAGE_FORMATS.find((f) => EXTENSIONS[f].includes(ext));
}
