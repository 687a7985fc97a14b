import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { isHazelessOutput, isMarkedBytes } from '../../node/hazeless-mark.js';
import { IMAGE_FORMATS } from '../../node/image-formats.js';
import { decodeImage, encodeImage, encodeImageToFile } from '../../node/image-io.js';
import { FIXTURE_XMP, REAL_PHOTOS, makeCameraJpeg, makeTempDir } from './cli-helpers.js';

const marks = (xmp: Buffer | undefined): number => (xmp?.toString().match(/hazeless:Digest=/g) ?? []).length;

describe('the mark on files Hazeless writes', () => {
  let dir: string;
  let camera: string;

  beforeAll(async () => {
    dir = makeTempDir('mark');
    camera = path.join(dir, 'camera.jpg');
    await makeCameraJpeg('swan.jpg', camera);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test.each(IMAGE_FORMATS)('%s: the output is recognised, the user\'s XMP and EXIF are kept, the pixels decode', async (format) => {
    const { image, info } = await decodeImage(camera);
    const out = path.join(dir, `out.${format}`);
    await encodeImageToFile(image, out, { format, metadata: info.metadata });
    expect(await isHazelessOutput(out)).toBe(true);
    expect(isMarkedBytes(await encodeImage(image, { format, metadata: info.metadata }))).toBe(true);

    const m = await sharp(out).metadata();
    expect(m.xmp?.toString()).toContain('Hazeless Test'); // dc:creator from FIXTURE_XMP
    expect(marks(m.xmp)).toBe(1);
    // libvips writes no EXIF into TIFF (cli/README.md).
    if (format !== 'tiff') expect(m.exif?.toString('latin1')).toContain('Hazeco');
    // Strict decode (sharp fails on warnings such as a bad PNG chunk CRC by default).
    const back = await sharp(out).raw().toBuffer({ resolveWithObject: true });
    expect([back.info.width, back.info.height]).toEqual([image.width, image.height]);

    // Dehazing an output again: the new file carries one mark, and it is recognised.
    const again = await decodeImage(out);
    const twice = await encodeImage(again.image, { format, metadata: again.info.metadata });
    expect(isMarkedBytes(twice)).toBe(true);
    expect(marks((await sharp(twice).metadata()).xmp)).toBe(1);
  });

  test('photos from elsewhere are not ours: plain, with XMP, or an output changed afterwards', async () => {
    expect(await isHazelessOutput(path.join(REAL_PHOTOS, 'cones.jpg'))).toBe(false);
    expect(await isHazelessOutput(camera)).toBe(false);
    expect(FIXTURE_XMP).not.toContain('hazeless');

    const { image, info } = await decodeImage(camera);
    const out = path.join(dir, 'changed.jpg');
    await encodeImageToFile(image, out, { format: 'jpeg', metadata: info.metadata });
    const bytes = fs.readFileSync(out);
    // One byte of the picture changed (as an editor saving in place would): no longer ours.
    bytes[bytes.length - 100] ^= 0x01;
    expect(isMarkedBytes(bytes)).toBe(false);
    // Re-saved by another program that keeps all metadata, mark included.
    const resaved = await sharp(out).keepMetadata().jpeg({ quality: 95 }).toBuffer();
    expect(marks((await sharp(resaved).metadata()).xmp)).toBe(1);
    expect(isMarkedBytes(resaved)).toBe(false);

    expect(await isHazelessOutput(path.join(dir, 'missing.jpg'))).toBe(false);
    expect(await isHazelessOutput(dir)).toBe(false);
  });
});
