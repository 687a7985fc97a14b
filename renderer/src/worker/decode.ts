/**
 * Turning a PhotoSource into pixels inside the worker, with the browser's own decoders
 * (createImageBitmap honours EXIF orientation and converts to sRGB) and canvas resampling.
 */
import type { ImageBuffer } from '../../../engine/types';

export type Rgba = ImageBuffer & { channels: 4; data: Uint8ClampedArray };

/** What a user sees when a file cannot be read: plain words, no stack traces. */
export class UnreadablePhotoError extends Error {
  constructor(detail: string) {
    super(`Cannot read this photo: ${detail}`);
    this.name = 'UnreadablePhotoError';
  }
}

export async function sourceBitmap(blob: Blob): Promise<ImageBitmap> {
  if (blob.size === 0) throw new UnreadablePhotoError('the file is empty');
  try {
    return await createImageBitmap(blob, {
      imageOrientation: 'from-image',
      premultiplyAlpha: 'none',
      colorSpaceConversion: 'default',
    });
  } catch {
    const type = blob.type ? ` (${blob.type})` : '';
    throw new UnreadablePhotoError(`the file${type} is damaged or not an image format this browser can decode`);
  }
}

/** Pixels of a bitmap, optionally resampled to width x height (high-quality smoothing). */
export function bitmapPixels(bitmap: ImageBitmap, width = bitmap.width, height = bitmap.height): Rgba {
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: true });
  if (!ctx) throw new Error('no 2D canvas in the worker');
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  const data = ctx.getImageData(0, 0, width, height, { colorSpace: 'srgb' }).data;
  // Frees the canvas backing store now rather than at the next GC (24 MP is 96 MB).
  canvas.width = 1;
  canvas.height = 1;
  return { width, height, channels: 4, data };
}

/**
 * All of a decoded photo's pixels. WebCodecs copies an opaque bitmap into RGBA about twice as fast
 * as drawing it on a canvas and reading it back (docs/performance.md), byte for byte the same; a
 * bitmap with alpha, one turned by its EXIF orientation, or a browser without VideoFrame, goes
 * through the canvas.
 */
export async function fullPixels(bitmap: ImageBitmap): Promise<Rgba> {
  if (typeof VideoFrame === 'function') {
    let frame: VideoFrame | null = null;
    try {
      frame = new VideoFrame(bitmap, { timestamp: 0 });
      if ((frame.format === 'BGRX' || frame.format === 'RGBX') && storedUpright(frame, bitmap)) {
        const data = new Uint8ClampedArray(bitmap.width * bitmap.height * 4);
        await frame.copyTo(data, { format: 'RGBA', colorSpace: 'srgb' });
        return { width: bitmap.width, height: bitmap.height, channels: 4, data };
      }
    } catch {
      // Any refusal (an old browser, a format it cannot convert): the canvas below always works.
    } finally {
      frame?.close();
    }
  }
  return bitmapPixels(bitmap);
}

/**
 * Whether the frame's samples are the bitmap's pixels as they are shown. A photo turned by its
 * EXIF orientation keeps its stored samples, with the turn as the frame's rotation (and flip);
 * copyTo copies them as stored, so such a photo must go through the canvas, which draws it turned.
 */
function storedUpright(frame: VideoFrame, bitmap: ImageBitmap): boolean {
  const turn = frame as VideoFrame & { rotation?: number; flip?: boolean };
  return (turn.rotation ?? 0) === 0 && !turn.flip && frame.codedWidth === bitmap.width && frame.codedHeight === bitmap.height;
}

/** Size whose long side is at most maxSide, aspect kept, never upscaled. */
export function fitInside(width: number, height: number, maxSide: number): { width: number; height: number } {
  const scale = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Downscale with the browser's resampler (a filtered minification, unlike a plain drawImage). */
export async function resized(bitmap: ImageBitmap, width: number, height: number): Promise<Rgba> {
  if (width === bitmap.width && height === bitmap.height) return bitmapPixels(bitmap);
  const small = await createImageBitmap(bitmap, { resizeWidth: width, resizeHeight: height, resizeQuality: 'high', premultiplyAlpha: 'none' });
  try {
    return bitmapPixels(small);
  } finally {
    small.close();
  }
}

export function imageDataOf(image: ImageBuffer): ImageData {
  if (image.channels !== 4 || !(image.data instanceof Uint8ClampedArray)) throw new Error('expected 8-bit RGBA');
  return new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height);
}

/** A full-resolution crop (copies rows; the engine renders crops with `region`). */
export function crop(image: Rgba, left: number, top: number, width: number, height: number): Rgba {
  const out = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    const from = ((top + y) * image.width + left) * 4;
    out.set(image.data.subarray(from, from + width * 4), y * width * 4);
  }
  return { width, height, channels: 4, data: out };
}
