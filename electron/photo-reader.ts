// Decodes photos for the renderer: an oriented 8-bit RGBA preview (optionally a downscaled
// proxy, which is what the editor shows and estimates haze on) and small JPEG thumbnails.
// Colour-managed inputs are converted to sRGB, which is what the canvas and the model expect.

import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { PreviewImage, Thumbnail } from '../common/contract';

function asUint8(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export async function readPreview(file: string, maxSide: number | null): Promise<PreviewImage> {
  const { mtimeMs } = await stat(file);
  const meta = await sharp(file).metadata();
  const sourceWidth = meta.autoOrient?.width ?? meta.width;
  const sourceHeight = meta.autoOrient?.height ?? meta.height;
  if (!sourceWidth || !sourceHeight) throw new Error(`${file}: no image size in header`);
  let pipeline = sharp(file).autoOrient().toColourspace('srgb');
  if (maxSide !== null && Math.max(sourceWidth, sourceHeight) > maxSide) {
    pipeline = pipeline.resize({ width: maxSide, height: maxSide, fit: 'inside', kernel: 'lanczos3' });
  }
  const { data, info } = await pipeline.ensureAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== 4 || data.byteLength !== info.width * info.height * 4) {
    throw new Error(`${file}: unexpected decode layout (${info.channels} channels)`);
  }
  return { path: file, mtimeMs, width: info.width, height: info.height, sourceWidth, sourceHeight, rgba: asUint8(data) };
}

export async function readThumbnail(file: string, size: number): Promise<Thumbnail> {
  const { data, info } = await sharp(file)
    .autoOrient()
    .resize({ width: size, height: size, fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .flatten({ background: '#202020' })
    .jpeg({ quality: 80, mozjpeg: false })
    .toBuffer({ resolveWithObject: true });
  return { path: file, width: info.width, height: info.height, jpeg: asUint8(data) };
}
