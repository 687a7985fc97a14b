import sharp, { type Metadata } from 'sharp';
import type { PhotoHeader } from './concurrency';
import type { ImageFormat } from '../common/formats/index';
import { formatFromSharp } from './image-formats';
import { readFailure } from './image-io';

/**
 * A photo's size and format from its header alone (nothing is decoded), to plan the batch before
 * the work starts. Throws ImageReadError, with the reason decoding would give (image-io.ts
 * readFailure), for a file that is not a readable photo.
 */
export async function readPhotoHeader(file: string): Promise<PhotoHeader & { format: ImageFormat | null }> {
  let meta: Metadata;
  try {
    meta = await sharp(file, { failOn: 'error' }).metadata();
  } catch (e) {
    throw await readFailure(file, e);
  }
  return {
    format: formatFromSharp(meta.format, meta.compression) ?? null,
    width: meta.width,
    height: meta.height,
    channels: meta.hasAlpha ? 4 : 3,
    bitDepth: meta.depth === 'uchar' || meta.depth === 'char' ? 8 : 16,
  };
}
