// The facts in common/formats/ hold for the decoder and encoder Hazeless ships (sharp), and every side
// (CLI folder scan, desktop album, browser file picker) accepts the same file names.
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { discoverInputs } from '../../cli/discover';
import { findImages } from '../../electron/library';
import { FORMATS, formatFromExtension, formatFromMime, IMAGE_EXTENSIONS } from '../../common/formats/index';
import { decodeImage, encodeImage, encodeImageToFile } from '../../node/image-io';
import { formatFromSharp } from '../../node/image-formats';
import { looksLikePhoto } from '../../renderer/src/host/image-files';
import { makeTempDir } from './cli-helpers';

/** sharp's name for each of our formats (AVIF is a HEIF container). */
const SHARP_ID = { jpeg: 'jpeg', png: 'png', webp: 'webp', avif: 'heif', tiff: 'tiff' } as const;

/** A small RGB image with detail, 8-bit and 16-bit (16-bit values that are not 8-bit ones widened). */
function gradient(sixteen: boolean): { width: number; height: number; channels: 3; data: Uint8Array | Uint16Array } {
  const width = 48;
  const height = 32;
  const data = sixteen ? new Uint16Array(width * height * 3) : new Uint8Array(width * height * 3);
  const top = sixteen ? 65535 : 255;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = Math.round((x / (width - 1)) * top);
      data[i + 1] = Math.round((y / (height - 1)) * top);
      data[i + 2] = ((x * 7919 + y * 104729) % 997) * (top / 997) | 0;
    }
  }
  return { width, height, channels: 3, data };
}

describe('format facts', () => {
  let dir: string;

  beforeAll(() => {
    dir = makeTempDir('formats');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(FORMATS)('$id: the extensions are the ones sharp reads as this format', (f) => {
    const sharpFormat = sharp.format[SHARP_ID[f.id]];
    expect([...f.extensions].sort()).toEqual([...(sharpFormat.input.fileSuffix ?? [])].sort());
  });

  test.each(FORMATS)('$id: a file written under each extension reads back as this format and MIME type', async (f) => {
    for (const ext of f.extensions) {
      for (const spelling of [ext, ext.toUpperCase()]) {
        const file = path.join(dir, `${f.id}-photo${spelling}`);
        await encodeImageToFile(gradient(false), file, { format: f.id });
        const meta = await sharp(file).metadata();
        expect(formatFromSharp(meta.format, meta.compression)).toBe(f.id);
        expect(meta.mediaType).toBe(f.mime);
        expect(formatFromExtension(file)).toBe(f.id);
        expect(formatFromMime(f.mime)).toBe(f.id);
      }
    }
  });

  test.each(FORMATS)('$id: 16-bit photos are written at 16 bits exactly when the facts say so', async (f) => {
    const encoded = await encodeImage(gradient(true), { format: f.id });
    expect((await sharp(encoded).metadata()).depth).toBe(f.sixteenBit ? 'ushort' : 'uchar');
    const back = await decodeImage(encoded);
    expect(back.image.data).toBeInstanceOf(f.sixteenBit ? Uint16Array : Uint8Array);
  });

  test.each(FORMATS)('$id: the pixels change on the way through exactly when the format is lossy', async (f) => {
    const image = gradient(false);
    const back = await decodeImage(await encodeImage(image, { format: f.id }));
    expect(Buffer.compare(Buffer.from(back.image.data.buffer, back.image.data.byteOffset, back.image.data.byteLength), Buffer.from(image.data)) !== 0).toBe(f.lossy);
    expect(f.defaultQuality !== null).toBe(f.lossy);
  });

  test.each(FORMATS.filter((f) => f.lossy))('$id: with no quality asked, the default quality is the one written', async (f) => {
    const image = gradient(false);
    const [byDefault, asked, other] = await Promise.all([
      encodeImage(image, { format: f.id }),
      encodeImage(image, { format: f.id, quality: f.defaultQuality! }),
      encodeImage(image, { format: f.id, quality: f.defaultQuality! > 50 ? 20 : 95 }),
    ]);
    expect(byDefault.length).toBe(asked.length);
    expect(other.length).not.toBe(byDefault.length);
  });

  test('the CLI, the desktop album and the browser picker accept the same photo names', async () => {
    const album = path.join(dir, 'album');
    fs.mkdirSync(album);
    const names = IMAGE_EXTENSIONS.flatMap((ext) => [`a${ext}`, `B${ext.toUpperCase()}`]);
    // Written by sharp directly: a file Hazeless wrote would be left out as one of its outputs.
    const { width, height, channels, data } = gradient(false);
    for (const name of names) {
      await sharp(data, { raw: { width, height, channels } }).toFormat(formatFromExtension(name)!).toFile(path.join(album, name));
    }
    fs.writeFileSync(path.join(album, 'notes.txt'), 'not a photo');
    const expected = names.map((n) => path.join(album, n)).sort();

    const cli = await discoverInputs([album], { recursive: false });
    expect(cli.files.map((f) => path.resolve(f.path)).sort()).toEqual(expected);
    expect((await findImages(album, { recursive: false })).sort()).toEqual(expected);
    for (const name of names) expect(looksLikePhoto(name)).toBe(true);
    expect(looksLikePhoto('notes.txt')).toBe(false);
  });
});
