import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import sharp from 'sharp';
import { sealMark, xmpWithMark } from '../../node/hazeless-mark';
import { encodeImage } from '../../node/image-io';
import {
  ForeignFileError,
  InputCollisionError,
  OutputExistsError,
  ProtectedFiles,
  STALE_TEMP_MS,
  removeStaleTemps,
  isTempName,
  tempPathFor,
  writeAtomically,
} from '../../node/safe-write';
import { FIXTURE_XMP, REAL_PHOTOS, makeTempDir } from './cli-helpers';

/** A small image as Hazeless writes it (marked), with its grey level as content. */
async function hazelessJpeg(level: number): Promise<Buffer> {
  return encodeImage({ width: 8, height: 8, channels: 3, data: new Uint8Array(8 * 8 * 3).fill(level) }, { format: 'jpeg' });
}

describe('writeAtomically', () => {
  let dir: string;
  let input: string;
  let protect: ProtectedFiles;

  beforeEach(async () => {
    dir = makeTempDir('safe-write');
    input = path.join(dir, 'photo.jpg');
    fs.writeFileSync(input, 'original photo bytes');
    protect = await ProtectedFiles.of([input]);
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const listAll = (d: string): string[] => fs.readdirSync(d).sort();
  const writeText = (text: string) => async (tmp: string) => fs.promises.writeFile(tmp, text);

  test('creates missing folders and leaves only the finished file', async () => {
    const dest = path.join(dir, 'a', 'b', 'out.jpg');
    await writeAtomically(dest, writeText('new'), { protect });
    expect(fs.readFileSync(dest, 'utf8')).toBe('new');
    expect(listAll(path.dirname(dest))).toEqual(['out.jpg']);
  });

  test('the temporary file sits beside the destination and keeps its extension', async () => {
    const dest = path.join(dir, 'out.webp');
    let seen = '';
    await writeAtomically(dest, async (tmp) => {
      seen = tmp;
      await fs.promises.writeFile(tmp, 'x');
    });
    expect(path.dirname(seen)).toBe(dir);
    expect(path.extname(seen)).toBe('.webp');
    expect(path.basename(seen).startsWith('.')).toBe(true);
    expect(fs.existsSync(seen)).toBe(false);
  });

  test('a name that fits the file system as an output fits while it is written (its temporary name is shortened)', async () => {
    for (const stem of ['a'.repeat(251), '\u00e9'.repeat(125), '\u{1F32B}'.repeat(62) + 'ab']) {
      const dest = path.join(dir, `${stem}.jpg`);
      expect(Buffer.byteLength(path.basename(dest))).toBeLessThanOrEqual(255);
      let seen = '';
      await writeAtomically(dest, async (tmp) => {
        seen = path.basename(tmp);
        await fs.promises.writeFile(tmp, 'x');
      });
      expect(fs.readFileSync(dest, 'utf8')).toBe('x');
      expect(Buffer.byteLength(seen)).toBeLessThanOrEqual(255);
      expect(isTempName(seen, path.basename(dest))).toBe(true);
      expect(seen.includes('\uFFFD')).toBe(false);
      fs.rmSync(dest);
    }
  });

  test('an earlier output of Hazeless is kept unless overwrite is set', async () => {
    const dest = path.join(dir, 'out.jpg');
    const old = await hazelessJpeg(100);
    fs.writeFileSync(dest, old);
    await expect(writeAtomically(dest, writeText('new'), { protect })).rejects.toBeInstanceOf(OutputExistsError);
    expect(fs.readFileSync(dest).equals(old)).toBe(true);
    await writeAtomically(dest, writeText('new'), { protect, overwrite: true });
    expect(fs.readFileSync(dest, 'utf8')).toBe('new');
    expect(listAll(dir)).toEqual(['out.jpg', 'photo.jpg']);
  });

  test('a file Hazeless did not write is never replaced, overwrite or not', async () => {
    const dest = path.join(dir, 'out.jpg');
    fs.writeFileSync(dest, 'a photo of the user');
    for (const overwrite of [false, true]) {
      await expect(writeAtomically(dest, writeText('new'), { protect, overwrite })).rejects.toBeInstanceOf(ForeignFileError);
    }
    // Nor a link to one of our outputs: the link is the user's.
    const ours = path.join(dir, 'ours.jpg');
    fs.writeFileSync(ours, await hazelessJpeg(50));
    const link = path.join(dir, 'link.jpg');
    fs.symlinkSync(ours, link);
    await expect(writeAtomically(link, writeText('new'), { protect, overwrite: true })).rejects.toBeInstanceOf(ForeignFileError);
    expect(fs.readFileSync(dest, 'utf8')).toBe('a photo of the user');
    expect(fs.lstatSync(link).isSymbolicLink()).toBe(true);
    expect(listAll(dir)).toEqual(['link.jpg', 'ours.jpg', 'out.jpg', 'photo.jpg']);
  });

  test('a file that appears during the write is not replaced (no-clobber commit)', async () => {
    const dest = path.join(dir, 'out.jpg');
    const racing = async (tmp: string): Promise<void> => {
      await fs.promises.writeFile(tmp, 'ours');
      fs.writeFileSync(dest, 'someone else');
    };
    await expect(writeAtomically(dest, racing, { protect })).rejects.toBeInstanceOf(ForeignFileError);
    expect(fs.readFileSync(dest, 'utf8')).toBe('someone else');
    expect(listAll(dir)).toEqual(['out.jpg', 'photo.jpg']);
  });

  test.each([
    ['the same path', (d: string) => path.join(d, 'photo.jpg')],
    ['a detour through ..', (d: string) => path.join(d, 'sub', '..', 'photo.jpg')],
    [
      'a symlink to it',
      (d: string) => {
        fs.symlinkSync(path.join(d, 'photo.jpg'), path.join(d, 'alias.jpg'));
        return path.join(d, 'alias.jpg');
      },
    ],
    [
      'a hard link to it',
      (d: string) => {
        fs.linkSync(path.join(d, 'photo.jpg'), path.join(d, 'twin.jpg'));
        return path.join(d, 'twin.jpg');
      },
    ],
    [
      'a path through a symlinked folder',
      (d: string) => {
        fs.symlinkSync(d, path.join(d, 'loop'));
        return path.join(d, 'loop', 'photo.jpg');
      },
    ],
  ])('refuses to replace an input reached by %s, even with overwrite', async (_what, destOf) => {
    fs.mkdirSync(path.join(dir, 'sub'), { recursive: true });
    const dest = destOf(dir);
    await expect(writeAtomically(dest, writeText('new'), { protect, overwrite: true })).rejects.toBeInstanceOf(InputCollisionError);
    expect(fs.readFileSync(input, 'utf8')).toBe('original photo bytes');
    expect(listAll(dir).filter((n) => n.startsWith('.'))).toEqual([]);
  });

  test('an abort during the write or a failing writer leaves nothing behind', async () => {
    const dest = path.join(dir, 'out.jpg');
    const ctrl = new AbortController();
    await expect(
      writeAtomically(
        dest,
        async (tmp) => {
          await fs.promises.writeFile(tmp, 'half');
          ctrl.abort();
        },
        { signal: ctrl.signal },
      ),
    ).rejects.toMatchObject({ name: 'AbortError' });
    await expect(
      writeAtomically(dest, async (tmp) => {
        await fs.promises.writeFile(tmp, 'half');
        throw new Error('encoder crashed');
      }),
    ).rejects.toThrow('encoder crashed');
    expect(listAll(dir)).toEqual(['photo.jpg']);
  });

  test('stale temporary files (ours only, and only old ones) are removed from a folder written to', async () => {
    const dest = path.join(dir, 'out.jpg');
    const staleTemp = path.basename(tempPathFor(dest));
    const freshTemp = path.basename(tempPathFor(dest));
    const lookalike = '.out.partial.jpg';
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    const work = await hazelessJpeg(128);
    for (const name of [staleTemp, freshTemp, lookalike]) fs.writeFileSync(path.join(dir, name), work);
    for (const name of [staleTemp, lookalike]) fs.utimesSync(path.join(dir, name), old, old);
    expect(await removeStaleTemps(dir)).toEqual([staleTemp]);
    expect(listAll(dir)).toEqual([freshTemp, lookalike, 'photo.jpg'].sort());
  });

  test('an old file named like a temporary file is removed only when it is Hazeless work: empty, or carrying its mark', async () => {
    const pixels = await sharp(path.join(REAL_PHOTOS, 'swan.jpg')).resize(64, 48).raw().toBuffer({ resolveWithObject: true });
    const encode = (format: 'jpeg' | 'png' | 'webp' | 'avif' | 'tiff', xmp?: string): Promise<Buffer> => {
      const p = sharp(pixels.data, { raw: { width: pixels.info.width, height: pixels.info.height, channels: 3 } });
      return (xmp === undefined ? p : p.withXmp(xmp)).toFormat(format).toBuffer();
    };
    const ours: Record<string, Buffer | string> = { '.empty.0a0b0c0d.partial.jpg': '' };
    const theirs: Record<string, Buffer | string> = { '.notes.0123abcd.partial.txt': 'my notes\n' };
    for (const format of ['jpeg', 'png', 'webp', 'avif', 'tiff'] as const) {
      // As Hazeless writes it: sealed in memory, then written (writeWork).
      ours[`.sealed.2222bbbb.partial.${format}`] = sealMark(await encode(format, xmpWithMark(FIXTURE_XMP)));
      // The user's own photos, with XMP of their own or none.
      theirs[`.mine.3333cccc.partial.${format}`] = await encode(format, FIXTURE_XMP);
      theirs[`.plain.4444dddd.partial.${format}`] = await encode(format);
    }
    const old = new Date(Date.now() - STALE_TEMP_MS - 60_000);
    for (const [name, content] of Object.entries({ ...ours, ...theirs })) {
      fs.writeFileSync(path.join(dir, name), content);
      fs.utimesSync(path.join(dir, name), old, old);
    }
    expect((await removeStaleTemps(dir)).sort()).toEqual(Object.keys(ours).sort());
    expect(listAll(dir)).toEqual([...Object.keys(theirs), 'photo.jpg'].sort());
    for (const [name, content] of Object.entries(theirs)) expect(fs.readFileSync(path.join(dir, name))).toEqual(Buffer.from(content));
  });
});
