import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ImageReadError, decodeImage, encodeImage, encodeImageToFile, fitLongEdge, shrinkToFit } from '../../node/image-io';
import { FIXTURE_IPTC, FIXTURE_XMP, REAL_PHOTOS, greyIccSegment, make16Bit, makeCameraJpeg, makeTempDir, withSegments } from './cli-helpers';
import { isMarkedBytes } from '../../node/hazeless-mark';

describe('image-io', () => {
  let dir: string;
  const file = (name: string): string => path.join(dir, name);

  beforeAll(async () => {
    dir = makeTempDir('io');
    await makeCameraJpeg('cones.jpg', file('camera.jpg'));
    await make16Bit('swan.jpg', file('deep.png'), 'png');
    await sharp(path.join(REAL_PHOTOS, 'beach.jpg')).ensureAlpha(0.6).png().toFile(file('alpha.png'));
    await sharp(path.join(REAL_PHOTOS, 'beach.jpg')).gif().toFile(file('beach.gif'));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('decodes upright, in the file profile terms, and reports what it found', async () => {
    const { image, info } = await decodeImage(file('camera.jpg'));
    expect([image.width, image.height, image.channels]).toEqual([384, 512, 3]);
    expect(image.data).toBeInstanceOf(Uint8Array);
    expect(info).toMatchObject({ format: 'jpeg', orientation: 6, bitDepth: 8, hasIccProfile: true });
    expect(info.metadata).toMatchObject({ hasExif: true, hasXmp: true, hasIcc: true });
    // The same pixels sharp gives when rotating without any colour conversion.
    const ref = await sharp(file('camera.jpg')).rotate().keepIccProfile().raw().toBuffer();
    expect(Buffer.compare(Buffer.from(image.data.buffer, image.data.byteOffset, image.data.length), ref)).toBe(0);
  });

  test('16-bit PNG decodes to Uint16Array and PNG/TIFF round trips are exact, alpha included', async () => {
    for (const name of ['deep.png', 'alpha.png']) {
      const { image, info } = await decodeImage(file(name));
      for (const format of ['png', 'tiff'] as const) {
        const back = await decodeImage(await encodeImage(image, { format, metadata: info.metadata }));
        expect(back.image.data.constructor).toBe(image.data.constructor);
        expect([back.image.width, back.image.height, back.image.channels]).toEqual([image.width, image.height, image.channels]);
        expect(Array.from(back.image.data).every((v, i) => v === image.data[i])).toBe(true);
      }
    }
    const deep = await decodeImage(file('deep.png'));
    expect(deep.image.data).toBeInstanceOf(Uint16Array);
    expect(deep.info.bitDepth).toBe(16);
    const alpha = await decodeImage(file('alpha.png'));
    expect(alpha.image.channels).toBe(4);
    expect(alpha.image.data[3]).toBe(Math.round(0.6 * 255));
  });

  test('16-bit to an 8-bit format rounds to nearest instead of truncating', async () => {
    // 128.78 in 8-bit terms: rounding gives 129 where libvips' own cast would give 128. A flat
    // grey survives JPEG at quality 100 exactly, so the decoded value shows which one happened.
    const data = new Uint16Array(16 * 16 * 3).fill(128 * 257 + 200);
    const jpeg = await encodeImage({ width: 16, height: 16, channels: 3, data }, { format: 'jpeg', quality: 100 });
    const { image } = await decodeImage(jpeg);
    expect(image.data).toBeInstanceOf(Uint8Array);
    expect(new Set(image.data)).toEqual(new Set([129]));
  });

  test('a photo with transparency saved as JPEG (no alpha) is laid on white, as editors do: what was under its clear pixels never shows', async () => {
    // Left half clear, its hidden colour red; right half opaque grey; the middle column half clear.
    const data = new Uint8Array(16 * 8 * 4);
    for (let i = 0; i < 16 * 8; i++) {
      const x = i % 16;
      data.set(x < 8 ? [255, 0, 0, 0] : x === 8 ? [100, 100, 100, 128] : [100, 100, 100, 255], i * 4);
    }
    // With the photo's metadata too (most PNGs and TIFFs carry some): the same pixels.
    const source = await sharp(data, { raw: { width: 16, height: 8, channels: 4 } }).withMetadata({ icc: 'srgb', exif: { IFD0: { Make: 'Hazeco' } } }).png().toBuffer();
    const decoded = await decodeImage(source);
    expect(decoded.info.metadata).not.toBeNull();
    for (const metadata of [null, decoded.info.metadata]) {
      const jpeg = await encodeImage({ width: 16, height: 8, channels: 4, data }, { format: 'jpeg', quality: 100, metadata });
      const { image } = await decodeImage(jpeg);
      expect(image.channels).toBe(3);
      const at = (x: number, y = 3): number[] => Array.from(image.data.subarray((y * 16 + x) * 3, (y * 16 + x) * 3 + 3));
      for (const v of [...at(2), ...at(0, 0)]) expect(v).toBeGreaterThanOrEqual(253);
      for (const v of at(12)) expect(Math.abs(v - 100)).toBeLessThanOrEqual(2);
      // Half clear: half way from the grey to white.
      for (const v of at(8)) expect(Math.abs(v - 178)).toBeLessThanOrEqual(2);
      if (metadata) expect((await sharp(jpeg).metadata()).exif?.toString('latin1')).toContain('Hazeco');
    }
  });

  test('encodeImageToFile writes a new file only: never into one already there, nor through a link to another', async () => {
    const { image } = await decodeImage(file('alpha.png'));
    const theirs = file('theirs.txt');
    fs.writeFileSync(theirs, 'a file of the user');
    fs.symlinkSync(theirs, file('planted.jpg'));
    fs.writeFileSync(file('there.jpg'), 'already here');
    for (const name of ['planted.jpg', 'there.jpg']) {
      await expect(encodeImageToFile(image, file(name), { format: 'jpeg' })).rejects.toMatchObject({ code: 'EEXIST' });
    }
    expect(fs.readFileSync(theirs, 'utf8')).toBe('a file of the user');
    expect(fs.readFileSync(file('there.jpg'), 'utf8')).toBe('already here');
    await encodeImageToFile(image, file('new.jpg'), { format: 'jpeg' });
    expect((await sharp(file('new.jpg')).metadata()).format).toBe('jpeg');
  });

  test('a CMYK photo (decoded to sRGB) keeps its IPTC and EXIF, and is tagged sRGB rather than with its CMYK profile', async () => {
    const cmyk = await sharp(path.join(REAL_PHOTOS, 'swan.jpg'))
      .withMetadata({ exif: { IFD0: { Make: 'Hazeco' } } })
      .toColourspace('cmyk')
      .withIccProfile('cmyk')
      .jpeg()
      .toBuffer();
    const source = Buffer.concat([cmyk.subarray(0, 2), FIXTURE_IPTC, cmyk.subarray(2)]);
    const { image, info } = await decodeImage(source);
    const out = await sharp(await encodeImage(image, { format: 'jpeg', metadata: info.metadata })).metadata();
    expect(out.space).toBe('srgb');
    expect(out.iptc?.equals((await sharp(source).metadata()).iptc!)).toBe(true);
    expect(out.exif?.toString('latin1')).toContain('Hazeco');
    // An RGB profile (the ICC header's colour space), not the CMYK one.
    expect(out.icc?.toString('latin1', 16, 20)).toBe('RGB ');
  });

  test('IPTC goes whole into JPEG outputs, and not at all into TIFF ones (libvips would write a truncated copy)', async () => {
    const camera = await decodeImage(file('camera.jpg'));
    const iptc = (await sharp(file('camera.jpg')).metadata()).iptc;
    expect(iptc?.toString('latin1')).toContain('Fog over the estuary');
    expect(camera.info.metadata?.forJpeg).not.toBeNull();
    // The JPEG carrier's one pixel decodes to exactly 0, so that OR-ing the photo into it changes nothing.
    expect([...(await sharp(camera.info.metadata!.forJpeg!).raw().toBuffer())]).toEqual([0, 0, 0]);
    const jpeg = await sharp(await encodeImage(camera.image, { format: 'jpeg', metadata: camera.info.metadata })).metadata();
    expect(jpeg.iptc?.equals(iptc!)).toBe(true);
    const tiff = await sharp(await encodeImage(camera.image, { format: 'tiff', metadata: camera.info.metadata })).metadata();
    expect(tiff.iptc).toBeUndefined();
    expect(tiff.xmp?.toString()).toContain('Hazeless Test');
  });

  test('a black and white photo with its own grey profile keeps its IPTC in a JPEG output, and stays grey', async () => {
    const bw = await sharp(path.join(REAL_PHOTOS, 'swan.jpg')).toColourspace('b-w').jpeg().toBuffer();
    const source = withSegments(bw, greyIccSegment(), FIXTURE_IPTC);
    const m = await sharp(source).metadata();
    expect([m.space, m.icc?.toString('latin1', 16, 20), m.iptc?.length]).toEqual(['b-w', 'GRAY', FIXTURE_IPTC.length - 4]);
    const { image, info } = await decodeImage(source);
    const out = await sharp(await encodeImage(image, { format: 'jpeg', metadata: info.metadata, grey: info.grey })).metadata();
    expect(out.space).toBe('b-w');
    expect(out.iptc?.equals(m.iptc!)).toBe(true);
  });

  test('XMP too large for a JPEG: the output still carries the mark (libvips would leave the packet out, mark and all)', async () => {
    const filler = `<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:description>${'x'.repeat(65_000)}</dc:description></rdf:Description>`;
    const xmp = FIXTURE_XMP.replace('</rdf:RDF>', `${filler}</rdf:RDF>`);
    const png = await sharp(path.join(REAL_PHOTOS, 'swan.jpg')).withXmp(xmp).png().toBuffer();
    const { image, info } = await decodeImage(png);
    expect(isMarkedBytes(await encodeImage(image, { format: 'jpeg', metadata: info.metadata }))).toBe(true);
    // Formats that take it keep the whole packet.
    const again = await encodeImage(image, { format: 'png', metadata: info.metadata });
    expect(isMarkedBytes(again)).toBe(true);
    expect((await sharp(again).metadata()).xmp?.toString()).toContain('x'.repeat(65_000));
  });

  test('metadata goes to every format; orientation is reset', async () => {
    const { image, info } = await decodeImage(file('camera.jpg'));
    for (const format of ['jpeg', 'png', 'webp', 'avif', 'tiff'] as const) {
      const m = await sharp(await encodeImage(image, { format, metadata: info.metadata })).metadata();
      expect({ format, width: m.width, height: m.height }).toEqual({ format, width: 384, height: 512 });
      expect(m.orientation ?? 1).toBe(1);
      expect(m.icc?.length).toBeGreaterThan(0);
      expect(m.xmp?.toString()).toContain('Hazeless Test');
      if (format !== 'tiff') expect(exifReader(m.exif!).Image?.Model).toBe('H1 Mark II');
    }
  });

  test('unreadable inputs give one-line reasons', async () => {
    fs.writeFileSync(file('text.jpg'), 'hello');
    fs.writeFileSync(file('empty.jpg'), '');
    const whole = fs.readFileSync(path.join(REAL_PHOTOS, 'swan.jpg'));
    fs.writeFileSync(file('cut.jpg'), whole.subarray(0, whole.length >> 1));
    const reasons: Record<string, RegExp> = {
      'text.jpg': /not a supported image/,
      'empty.jpg': /^empty file \(0 bytes\)$/,
      'cut.jpg': /truncated/,
      'beach.gif': /unsupported image format "gif"/,
      'missing.jpg': /missing/,
    };
    for (const [name, re] of Object.entries(reasons)) {
      const err = await decodeImage(file(name)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ImageReadError);
      expect((err as ImageReadError).reason).toMatch(re);
      expect((err as ImageReadError).reason).not.toContain('\n');
    }
  });

  test("a damaged photo's reason survives sharp calls ending in other threads meanwhile", async () => {
    // libvips keeps one error message for the whole process, cleared as each sharp call ends: while
    // an album's other photos are decoded and encoded in other threads, a damaged photo's reason
    // could be gone before it was read ("Unknown error", about one time in five here).
    const whole = fs.readFileSync(path.join(REAL_PHOTOS, 'cones.jpg'));
    fs.writeFileSync(file('short.jpg'), whole.subarray(0, 2000));
    const busy = `const sharp = require('sharp');
      const { parentPort } = require('node:worker_threads');
      parentPort.on('message', () => process.exit(0));
      (async () => {
        const png = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } }).png().toBuffer();
        parentPort.postMessage('busy');
        for (;;) await sharp(png).resize(32).raw().toBuffer();
      })();`;
    const threads = [0, 1].map(() => new Worker(busy, { eval: true }));
    try {
      await Promise.all(threads.map((t) => once(t, 'message')));
      const reasons = new Set<string>();
      for (let i = 0; i < 40; i++) {
        const err = await decodeImage(file('short.jpg')).catch((e: unknown) => e);
        reasons.add((err as ImageReadError).reason);
      }
      expect([...reasons]).toEqual([expect.stringMatching(/^truncated or damaged file/)]);
    } finally {
      for (const t of threads) t.postMessage('stop');
      await Promise.all(threads.map((t) => once(t, 'exit')));
    }
  });

  test('shrinkToFit fits the long edge and never enlarges', async () => {
    expect(fitLongEdge(6000, 4000, 3000)).toEqual({ width: 3000, height: 2000 });
    expect(fitLongEdge(400, 300, 3000)).toEqual({ width: 400, height: 300 });
    const { image } = await decodeImage(file('deep.png'));
    const small = await shrinkToFit(image, 100);
    expect([small.width, small.height, small.channels]).toEqual([100, 67, 3]);
    expect(small.data).toBeInstanceOf(Uint16Array);
    expect(await shrinkToFit(image, 5000)).toBe(image);
  });
});
