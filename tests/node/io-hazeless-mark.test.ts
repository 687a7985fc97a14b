import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test, vi } from 'vitest';
import { isHazelessOutput, isHazelessWork, isMarkedBytes, writeWork } from '../../node/hazeless-mark';
import { FORMAT_IDS } from '../../common/formats/index';
import { decodeImage, encodeImage, encodeImageToFile } from '../../node/image-io';
import { FIXTURE_XMP, REAL_PHOTOS, makeCameraJpeg, makeTempDir } from './cli-helpers';

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

  test.each(FORMAT_IDS)('%s: the output is recognised, the user\'s XMP and EXIF are kept, the pixels decode', async (format) => {
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

  test('an output whose XMP another editor rewrote: dehazed again, it carries one mark, sealed, and the user\'s XMP', async () => {
    const { image, info } = await decodeImage(camera);
    const out = path.join(dir, 'rewritten-source.jpg');
    await encodeImageToFile(image, out, { format: 'jpeg', metadata: info.metadata });
    const xmp = (await sharp(out).metadata()).xmp!.toString();
    const mark = /<rdf:Description rdf:about="" xmlns:hazeless="([^"]+)" hazeless:Digest="(sha256:[0-9a-f]{64})"\/>/.exec(xmp);
    expect(mark).not.toBeNull();
    const [ours, ns, digest] = mark!;
    const withoutMark = xmp.replace(ours, '');
    // As editors rewrite XMP: the attributes in another order; or the mark merged into the
    // user's own rdf:Description as an element, under a prefix of the editor's choosing.
    const variants = {
      reordered: withoutMark.replace('</rdf:RDF>', `<rdf:Description xmlns:hazeless="${ns}"\n  hazeless:Digest="${digest}" rdf:about=""></rdf:Description></rdf:RDF>`),
      merged: withoutMark.replace(
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/">',
        `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:hzl="${ns}">\n   <hzl:Digest>${digest}</hzl:Digest>\n   `,
      ),
    };
    for (const [name, rewritten] of Object.entries(variants)) {
      expect({ name, changed: rewritten.includes(digest) && !rewritten.includes(ours) }).toEqual({ name, changed: true });
      const edited = await sharp(out).withXmp(rewritten).jpeg({ quality: 95 }).toBuffer();
      const again = await decodeImage(edited);
      const bytes = await encodeImage(again.image, { format: 'jpeg', metadata: again.info.metadata });
      const text = (await sharp(bytes).metadata()).xmp!.toString();
      expect({ name, digests: text.match(/\w+:Digest\b/g)?.length, sealed: isMarkedBytes(bytes), creator: text.includes('Hazeless Test') }).toEqual({
        name,
        digests: 1,
        sealed: true,
        creator: true,
      });
      expect(text).not.toContain(digest);
    }
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

describe('a write cut short (a killed run) is still recognised as Hazeless work', () => {
  let dir: string;
  beforeAll(() => {
    dir = makeTempDir('work');
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  // AVIF puts its mark last, as WebP does, and takes a minute to encode a photo this size here.
  test.each(FORMAT_IDS.filter((f) => f !== 'avif'))('%s, larger than one chunk, its mark wherever the format puts it, cut short after 1 MiB', async (format) => {
    // Noise compresses badly: every format's file is megabytes, the mark far from one end or both.
    const { data, info } = await sharp({ create: { width: 2000, height: 1400, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 40 } } })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const bytes = await encodeImage({ width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) }, { format });
    expect(bytes.length).toBeGreaterThan(1.5 * 1024 * 1024);
    // The run is killed once 1 MiB has been written, whichever bytes those were.
    const file = path.join(dir, `.cut.0123abcd.partial.${format}`);
    const open = fsp.open.bind(fsp);
    const spy = vi.spyOn(fsp, 'open').mockImplementation(async (...args: Parameters<typeof fsp.open>) => {
      const h = await open(...args);
      let budget = 1024 * 1024;
      const write = h.write.bind(h) as (b: Buffer, offset: number, length: number, position: number) => Promise<{ bytesWritten: number }>;
      (h as unknown as { write: typeof write }).write = async (b, offset, length, position) => {
        const n = Math.min(length, budget);
        if (n === 0) throw new Error('killed');
        budget -= n;
        return write(b, offset, n, position);
      };
      return h;
    });
    try {
      await expect(writeWork(file, bytes)).rejects.toThrow('killed');
    } finally {
      spy.mockRestore();
    }
    expect(fs.statSync(file).size).toBeGreaterThan(0);
    expect(fs.readFileSync(file).equals(bytes)).toBe(false);
    expect(await isHazelessWork(file)).toBe(true);
    // The same bytes without the mark are a user's file.
    const theirs = path.join(dir, `.theirs.0123abcd.partial.${format}`);
    fs.writeFileSync(theirs, Buffer.from(bytes.toString('latin1').replace(/hazeless:Digest/g, 'hazeless:Digext'), 'latin1'));
    expect(await isHazelessWork(theirs)).toBe(false);
  });
});
