import type { ImageBuffer, PixelData } from './types';

/** Largest sample value of the buffer's bit depth. */
export function maxSample(data: PixelData): number {
  return data instanceof Uint16Array ? 65535 : 255;
}

export function assertImage(image: ImageBuffer, what = 'image'): void {
  const { width, height, channels, data } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new Error(`${what}: invalid size ${width}x${height}`);
  }
  if (channels !== 3 && channels !== 4) throw new Error(`${what}: channels must be 3 or 4, got ${String(channels)}`);
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray || data instanceof Uint16Array)) {
    throw new Error(`${what}: data must be a Uint8Array, Uint8ClampedArray or Uint16Array`);
  }
  if (data.length < width * height * channels) {
    throw new Error(`${what}: data has ${data.length} samples, ${width}x${height}x${channels} needs ${width * height * channels}`);
  }
}
