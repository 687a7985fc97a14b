import fs from 'node:fs';
import path from 'node:path';
import exifReader from 'exif-reader';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { hashTree, make16Bit, makeCameraJpeg, makeTempDir, runCli } from './cli-helpers';

// cones.jpg is 512x384; stored with orientation 6 it shows as 384x512.
describe('hazeless: formats, metadata, orientation, bit depth', () => {
  let dir: string;
  let inputs: Record<string, string>;

  beforeAll(async () => {
    dir = makeTempDir('formats');
    await makeCameraJpeg('cones.jpg', path.join(dir, 'camera.jpg'));
    await make16Bit('swan.jpg', path.join(dir, 'deep.png'), 'png');
    await make16Bit('swan.jpg', path.join(dir, 'deep.tif'), 'tiff');
    inputs = hashTree(dir);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('same format out, EXIF/XMP/ICC carried, orientation applied, 16-bit stays 16-bit, inputs untouched', async () => {
    const run = await runCli(['.'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);

    const out = path.join(dir, 'dehazed');
    const cam = await sharp(path.join(out, 'camera-dehazed.jpg')).metadata();
    const camIn = await sharp(path.join(dir, 'camera.jpg')).metadata();
    expect(cam.format).toBe('jpeg');
    // The default quality (92): colour at full resolution.
    expect(cam.chromaSubsampling).toBe('4:4:4');
    // Pixels turned upright and the tag reset, so every viewer shows the same thing.
    expect([cam.width, cam.height]).toEqual([384, 512]);
    expect(cam.orientation ?? 1).toBe(1);
    expect(cam.icc).toBeDefined();
    expect(Buffer.compare(cam.icc!, camIn.icc!)).toBe(0);
    const exif = exifReader(cam.exif!);
    expect(exif.Image?.Make).toBe('Hazeco');
    expect(exif.Image?.Model).toBe('H1 Mark II');
    expect((exif.Photo?.DateTimeOriginal as Date).toISOString()).toBe('2024-05-06T07:08:09.000Z');
    expect(exif.GPSInfo?.GPSLatitudeRef).toBe('N');
    expect(exif.GPSInfo?.GPSLatitude).toEqual([51, 30, 32.3]);
    expect(exif.GPSInfo?.GPSLongitude).toEqual([0, 7, 43.66]);
    expect(cam.xmp?.toString()).toContain('Hazeless Test');
    // IPTC (caption, byline) as the photo had it.
    expect(camIn.iptc?.toString('latin1')).toContain('Fog over the estuary');
    expect(cam.iptc?.equals(camIn.iptc!)).toBe(true);

    for (const [name, format] of [
      ['deep-dehazed.png', 'png'],
      ['deep-dehazed.tif', 'tiff'],
    ] as const) {
      const file = path.join(out, name);
      const m = await sharp(file).metadata();
      expect(m.format).toBe(format);
      expect(m.depth).toBe('ushort');
      expect([m.width, m.height]).toEqual([624, 416]);
      // Real 16-bit results, not 8-bit values widened (which would all be multiples of 257).
      const raw = await sharp(file).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer();
      const samples = new Uint16Array(raw.buffer, raw.byteOffset, raw.length / 2);
      let off257 = 0;
      for (let i = 0; i < samples.length; i += 7) if (samples[i] % 257 !== 0) off257++;
      expect(off257).toBeGreaterThan(samples.length / 7 / 2);
    }

    const after = hashTree(dir);
    for (const [file, hash] of Object.entries(inputs)) expect(after[file]).toBe(hash);
  });

  test.each([
    ['png', 'png', '.png'],
    ['webp', 'webp', '.webp'],
    ['avif', 'heif', '.avif'],
    ['tiff', 'tiff', '.tif'],
    ['jpeg', 'jpeg', '.jpg'],
  ])('--format %s writes %s files with the photo metadata', async (format, sharpFormat, ext) => {
    const outDir = `out-${format}`;
    // AVIF encoding is slow: the 16-bit photo is left to the other formats there.
    const inputs = format === 'avif' ? ['camera.jpg'] : ['camera.jpg', 'deep.png'];
    const run = await runCli([...inputs, '--format', format, '-o', outDir], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const cam = await sharp(path.join(dir, outDir, `camera-dehazed${ext}`)).metadata();
    expect(cam.format).toBe(sharpFormat);
    expect([cam.width, cam.height]).toEqual([384, 512]);
    expect(cam.icc).toBeDefined();
    // libvips writes no EXIF block into TIFF files; every other format carries it.
    if (format !== 'tiff') expect(exifReader(cam.exif!).Image?.Make).toBe('Hazeco');
    if (format === 'avif') return;
    const deep = await sharp(path.join(dir, outDir, `deep-dehazed${ext}`)).metadata();
    expect(deep.format).toBe(sharpFormat);
    expect(deep.depth).toBe(format === 'png' || format === 'tiff' ? 'ushort' : 'uchar');
  });

  test('--max-size shrinks the long edge and --quality trades size for quality', async () => {
    const small = await runCli(['camera.jpg', '--max-size', '200', '--quality', '40', '-o', 'small'], { cwd: dir });
    expect(small.code).toBe(0);
    const fine = await runCli(['camera.jpg', '--max-size', '200', '--quality', '98', '-o', 'fine'], { cwd: dir });
    expect(fine.code).toBe(0);
    const s = await sharp(path.join(dir, 'small', 'camera-dehazed.jpg')).metadata();
    expect([s.width, s.height]).toEqual([150, 200]);
    // Colour at full resolution from quality 90 up, subsampled below.
    expect((await sharp(path.join(dir, 'fine', 'camera-dehazed.jpg')).metadata()).chromaSubsampling).toBe('4:4:4');
    expect(s.chromaSubsampling).toBe('4:2:0');
    const sizeSmall = fs.statSync(path.join(dir, 'small', 'camera-dehazed.jpg')).size;
    const sizeFine = fs.statSync(path.join(dir, 'fine', 'camera-dehazed.jpg')).size;
    expect(sizeSmall).toBeLessThan(sizeFine * 0.6);
    // Asked of a lossless format, it says it does nothing there (and does the rest).
    const png = await runCli(['camera.jpg', '--format', 'png', '--quality', '40', '--max-size', '200', '-o', 'png-q'], { cwd: dir });
    expect(png.code).toBe(0);
    expect(png.stderr).toMatch(/^note: --quality has no effect on PNG, which is lossless$/m);
    // Without --format, for the lossless photos among those given: once.
    const mixed = await runCli(['camera.jpg', 'deep.png', 'deep.tif', '--quality', '40', '--max-size', '200', '-o', 'mixed-q'], { cwd: dir });
    expect(mixed.code).toBe(0);
    expect(mixed.stderr.match(/^note: --quality has no effect on PNG photos, which are written lossless$/gm)).toHaveLength(1);
    expect(mixed.stderr.match(/^note: --quality has no effect on TIFF photos, which are written lossless$/gm)).toHaveLength(1);
    expect(mixed.stderr).not.toMatch(/JPEG photos/);
  });

  test('--max-size keeps a 16-bit photo 16-bit and as bright as it was (PNG and TIFF)', async () => {
    for (const name of ['deep.png', 'deep.tif']) {
      const run = await runCli([name, '--max-size', '300', '--strength', '0', '-o', 'deep-small'], { cwd: dir });
      expect(run.code).toBe(0);
      const out = path.join(dir, 'deep-small', name.replace('.', '-dehazed.'));
      const m = await sharp(out).metadata();
      expect([m.width, m.depth]).toEqual([300, 'ushort']);
      // Strength 0: the photo only shrinks, so its mean stays where the original's is.
      const mean = async (file: string): Promise<number> => (await sharp(file).toColourspace('rgb16').stats()).channels.slice(0, 3).reduce((a, c) => a + c.mean, 0) / 3;
      expect(Math.abs((await mean(out)) / (await mean(path.join(dir, name))) - 1)).toBeLessThan(0.01);
    }
  });

  test("a photo whose extension names another format is written in its own format, under that format's extension", async () => {
    fs.copyFileSync(path.join(dir, 'camera.jpg'), path.join(dir, 'a-jpeg.png'));
    await sharp(path.join(dir, 'camera.jpg')).png().toFile(path.join(dir, 'a-png.jpg'));
    const run = await runCli(['a-jpeg.png', 'a-png.jpg', '-o', 'misnamed', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'misnamed')).sort()).toEqual(['a-jpeg-dehazed.jpg', 'a-png-dehazed.png']);
    expect((await sharp(path.join(dir, 'misnamed', 'a-jpeg-dehazed.jpg')).metadata()).format).toBe('jpeg');
    expect((await sharp(path.join(dir, 'misnamed', 'a-png-dehazed.png')).metadata()).format).toBe('png');
  });

  test('a black and white photo comes out black and white: grey, 8- or 16-bit, alpha kept, pixels untouched at strength 0', async () => {
    const bw = path.join(dir, 'bw');
    fs.mkdirSync(bw);
    const source = sharp(path.join(dir, 'camera.jpg')).greyscale();
    // sharp writes sRGB unless told otherwise, greyscale() or not.
    await source.clone().toColourspace('b-w').jpeg({ quality: 95 }).toFile(path.join(bw, 'grey.jpg'));
    await source.clone().toColourspace('grey16').png().toFile(path.join(bw, 'grey16.png'));
    await source.clone().ensureAlpha(0.6).toColourspace('b-w').png().toFile(path.join(bw, 'grey-alpha.png'));
    for (const name of ['grey.jpg', 'grey16.png', 'grey-alpha.png']) expect((await sharp(path.join(bw, name)).metadata()).space).toMatch(/^(b-w|grey16)$/);
    const raw = async (file: string): Promise<Buffer> => sharp(file).raw({ depth: (await sharp(file).metadata()).depth === 'ushort' ? 'ushort' : 'uchar' }).toBuffer();
    for (const [args, out] of [[[], 'bw-out'], [['--strength', '0', '--exposure', '0'], 'bw-zero']] as const) {
      const run = await runCli(['bw', '-o', out, ...args], { cwd: dir });
      expect(run.code).toBe(0);
      for (const [name, space, channels] of [['grey.jpg', 'b-w', 1], ['grey16.png', 'grey16', 1], ['grey-alpha.png', 'b-w', 2]] as const) {
        const file = path.join(dir, out, name.replace('.', '-dehazed.'));
        const m = await sharp(file).metadata();
        expect({ name, space: m.space, channels: m.channels }).toEqual({ name, space, channels });
        // Lossless at strength 0: exactly the original's samples.
        if (out === 'bw-zero' && name.endsWith('.png')) expect((await raw(file)).equals(await raw(path.join(bw, name)))).toBe(true);
      }
    }
  });

  test('the metadata a photo carries never touches its pixels: strength 0 to PNG gives the decoded photo exactly', async () => {
    const run = await runCli(['camera.jpg', '--strength', '0', '--exposure', '0', '--format', 'png', '-o', 'exact'], { cwd: dir });
    expect(run.code).toBe(0);
    const out = await sharp(path.join(dir, 'exact', 'camera-dehazed.png')).keepIccProfile().raw().toBuffer();
    const decoded = await sharp(path.join(dir, 'camera.jpg')).rotate().keepIccProfile().raw().toBuffer();
    expect(out.equals(decoded)).toBe(true);
  });

  test('a lossless WebP stays lossless (exactly its pixels at strength 0), unless a quality is asked for', async () => {
    const webp = path.join(dir, 'webp');
    fs.mkdirSync(webp);
    await sharp(path.join(dir, 'camera.jpg')).rotate().webp({ lossless: true }).toFile(path.join(webp, 'art.webp'));
    await sharp(path.join(dir, 'camera.jpg')).rotate().webp({ quality: 80 }).toFile(path.join(webp, 'photo.webp'));
    // Its image chunk: VP8L (lossless) or VP8 (lossy), after a VP8X header where there is metadata.
    const kind = (file: string): string => (fs.readFileSync(file).includes('VP8L', 12, 'latin1') ? 'VP8L' : 'VP8 ');
    expect([kind(path.join(webp, 'art.webp')), kind(path.join(webp, 'photo.webp'))]).toEqual(['VP8L', 'VP8 ']);
    const zero = await runCli(['webp', '--strength', '0', '--exposure', '0', '-o', 'webp-out'], { cwd: dir });
    expect(zero.code).toBe(0);
    expect(kind(path.join(dir, 'webp-out', 'art-dehazed.webp'))).toBe('VP8L');
    expect(kind(path.join(dir, 'webp-out', 'photo-dehazed.webp'))).not.toBe('VP8L');
    const pixels = (file: string): Promise<Buffer> => sharp(file).raw().toBuffer();
    expect((await pixels(path.join(dir, 'webp-out', 'art-dehazed.webp'))).equals(await pixels(path.join(webp, 'art.webp')))).toBe(true);
    const asked = await runCli(['webp/art.webp', '--quality', '80', '-o', 'webp-q'], { cwd: dir });
    expect(asked.code).toBe(0);
    expect(kind(path.join(dir, 'webp-q', 'art-dehazed.webp'))).not.toBe('VP8L');
  });
});
