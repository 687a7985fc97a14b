import fs from 'node:fs/promises';
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

/**
 * Whether a WebP file is lossless (its image is a VP8L bitstream, not VP8). sharp does not say;
 * the RIFF chunks do: the first chunk, or after a VP8X header the first image chunk (ALPH goes
 * with lossy VP8). Reads only chunk headers.
 */
export async function isLosslessWebp(input: string | Buffer): Promise<boolean> {
  const h = typeof input === 'string' ? await fs.open(input, 'r') : null;
  const read = async (at: number, length: number): Promise<Buffer> => {
    if (!h) return (input as Buffer).subarray(at, at + length);
    const b = Buffer.alloc(length);
    const { bytesRead } = await h.read(b, 0, length, at);
    return b.subarray(0, bytesRead);
  };
  try {
    const riff = await read(0, 12);
    if (riff.length < 12 || riff.toString('latin1', 0, 4) !== 'RIFF' || riff.toString('latin1', 8, 12) !== 'WEBP') return false;
    for (let at = 12; ; ) {
      const head = await read(at, 8);
      if (head.length < 8) return false;
      const id = head.toString('latin1', 0, 4);
      if (id === 'VP8L') return true;
      if (id === 'VP8 ' || id === 'ALPH' || id === 'ANIM') return false;
      const size = head.readUInt32LE(4);
      at += 8 + size + (size % 2);
    }
  } finally {
    await h?.close();
  }
}
