import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { xmpForPixels } from '../../node/xmp-geometry';
import { REAL_PHOTOS, makeTempDir, runCli } from './cli-helpers';

const packet = (body: string, attrs = ''): string =>
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  `<rdf:Description rdf:about="" xmlns:tiff="http://ns.adobe.com/tiff/1.0/" xmlns:exif="http://ns.adobe.com/exif/1.0/" ${attrs}>${body}</rdf:Description></rdf:RDF></x:xmpmeta>`;

describe("the source's XMP, made true of the pixels written", () => {
  test('orientation 1 and the output size, in attribute and element form, under any prefix; nothing else changes', () => {
    const attrs = 'tiff:Orientation="6" tiff:ImageWidth="4000" tiff:ImageLength=\'3000\' exif:PixelXDimension="4000" tiff:Make="Hazeco"';
    const out = xmpForPixels(packet('<exif:PixelYDimension>3000</exif:PixelYDimension><dc:title>Orientation="6"</dc:title>', attrs), 300, 400);
    expect(out).toContain('tiff:Orientation="1"');
    expect(out).toContain('tiff:ImageWidth="300"');
    expect(out).toContain("tiff:ImageLength='400'");
    expect(out).toContain('exif:PixelXDimension="300"');
    expect(out).toContain('<exif:PixelYDimension>400</exif:PixelYDimension>');
    expect(out).toContain('tiff:Make="Hazeco"');
    expect(out).toContain('<dc:title>Orientation="6"</dc:title>');
    const other = '<rdf:Description xmlns:t="http://ns.adobe.com/tiff/1.0/"><t:Orientation>8</t:Orientation></rdf:Description>';
    expect(xmpForPixels(other, 1, 1)).toContain('<t:Orientation>1</t:Orientation>');
    // A prefix bound to another namespace is left alone.
    const foreign = '<rdf:Description xmlns:tiff="urn:other" tiff:Orientation="6"/>';
    expect(xmpForPixels(foreign, 1, 1)).toBe(foreign);
  });

  describe('in an exported file', () => {
    let dir: string;
    beforeAll(async () => {
      dir = makeTempDir('xmp-geometry');
      await sharp(path.join(REAL_PHOTOS, 'swan.jpg'))
        .withMetadata({ orientation: 6 })
        .withXmp(packet('', 'tiff:Orientation="6" exif:PixelXDimension="624" exif:PixelYDimension="416"'))
        .jpeg()
        .toFile(path.join(dir, 'sideways.jpg'));
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    test('a photo turned upright and shrunk says so in its XMP too (JPEG and TIFF, which has no EXIF)', async () => {
      for (const format of ['jpeg', 'tiff']) {
        const run = await runCli(['sideways.jpg', '--format', format, '--max-size', '300', '-o', format], { cwd: dir });
        expect(run.code).toBe(0);
        const file = path.join(dir, format, fs.readdirSync(path.join(dir, format))[0]);
        const m = await sharp(file).metadata();
        expect([m.width, m.height, m.orientation ?? 1]).toEqual([200, 300, 1]);
        const xmp = m.xmp?.toString() ?? '';
        expect(xmp).toContain('tiff:Orientation="1"');
        expect(xmp).toContain('exif:PixelXDimension="200"');
        expect(xmp).toContain('exif:PixelYDimension="300"');
      }
    });
  });
});
