import type { ImageFormat } from '../common/formats/index';

/**
 * Maps sharp's container name to our format id (the facts themselves live in common/formats/). sharp
 * reports AVIF as "heif" (with compression "av1"); HEIC (HEVC) is not decodable by sharp's
 * prebuilt libvips, so it is not accepted.
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
