/** Shared by the cli-*.test.ts files: run the real `hazeless` binary on real photos. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const REAL_PHOTOS = path.resolve(REPO, '../shared/data/real');
export const BIN = path.join(REPO, 'bin/hazeless.js');

export interface CliRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd: string;
  /** Called once the child is running, with a way to wait for output text. */
  control?: (child: ChildProcess, waitFor: (re: RegExp) => Promise<void>) => void | Promise<void>;
  /** Run as this user and group (only root can); file permissions do not stop root. */
  user?: { uid: number; gid: number };
  /** Variables added to the environment. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Runs `hazeless` as an installed command runs: the file itself, through its first line (Windows
 * runs files through node: npm's shim does the same there).
 */
export function runCli(args: string[], opts: RunOptions): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const [file, ...pre] = process.platform === 'win32' ? [process.execPath, BIN] : [BIN];
    const child = spawn(file, [...pre, ...args], { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...opts.env }, ...opts.user });
    let stdout = '';
    let stderr = '';
    const waiters: { re: RegExp; resolve: () => void }[] = [];
    const check = (): void => {
      for (let i = waiters.length - 1; i >= 0; i--) {
        if (waiters[i].re.test(stdout + stderr)) {
          waiters[i].resolve();
          waiters.splice(i, 1);
        }
      }
    };
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      check();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      check();
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    const waitFor = (re: RegExp): Promise<void> =>
      new Promise((res) => {
        waiters.push({ re, resolve: res });
        check();
      });
    void opts.control?.(child, waitFor);
  });
}

export function makeTempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `hazeless-${prefix}-`));
}

export function copyPhoto(name: string, dir: string, as = name): string {
  const dest = path.join(dir, as);
  fs.copyFileSync(path.join(REAL_PHOTOS, name), dest);
  fs.chmodSync(dest, 0o644);
  return dest;
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** sha256 of every file under `dir` (relative path -> hash), to prove inputs were not touched. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of fs.readdirSync(dir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    out[path.relative(dir, full)] = sha256(full);
  }
  return out;
}

export const FIXTURE_XMP =
  '<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">' +
  '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator><rdf:Seq><rdf:li>Hazeless Test</rdf:li>' +
  '</rdf:Seq></dc:creator></rdf:Description></rdf:RDF></x:xmpmeta>';

/** An IPTC caption and byline as a JPEG's APP13 segment (Photoshop's resource block), as cameras and editors write it. */
export const FIXTURE_IPTC = ((): Buffer => {
  const dataset = (tag: number, text: string): Buffer => Buffer.concat([Buffer.from([0x1c, 2, tag, 0, text.length]), Buffer.from(text, 'latin1')]);
  const iim = Buffer.concat([dataset(120, 'Fog over the estuary'), dataset(80, 'Hazeless Test')]);
  const padded = iim.length % 2 === 0 ? iim : Buffer.concat([iim, Buffer.from([0])]);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(iim.length);
  const body = Buffer.concat([Buffer.from('Photoshop 3.0\0', 'latin1'), Buffer.from('8BIM', 'latin1'), Buffer.from([0x04, 0x04, 0, 0]), size, padded]);
  const length = Buffer.alloc(2);
  length.writeUInt16BE(body.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xed]), length, body]);
})();

/** A JPEG's bytes with `segments` (whole APPn segments, marker and length included) after its start of image. */
export function withSegments(jpeg: Buffer, ...segments: Buffer[]): Buffer {
  return Buffer.concat([jpeg.subarray(0, 2), ...segments, jpeg.subarray(2)]);
}

/** A JPEG APPn segment: marker 0xFFE0 + n, length, payload. */
export function appSegment(n: number, payload: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(payload.length + 2);
  return Buffer.concat([Buffer.from([0xff, 0xe0 + n]), length, payload]);
}

/**
 * A grey ICC profile (gamma 2.2, D50), as black and white workflows embed, in its APP2 segment:
 * libvips has none built in. The header, a tag table and four tags (description, white point,
 * grey curve, copyright), each 4-byte aligned.
 */
export function greyIccSegment(): Buffer {
  const s15 = (v: number): Buffer => {
    const b = Buffer.alloc(4);
    b.writeInt32BE(Math.round(v * 65536));
    return b;
  };
  const name = Buffer.from('Grey Gamma 2.2\0', 'latin1');
  const desc = Buffer.alloc(12 + name.length + 79);
  desc.write('desc', 0, 'latin1');
  desc.writeUInt32BE(name.length, 8);
  name.copy(desc, 12);
  const tags: [string, Buffer][] = [
    ['desc', desc],
    ['wtpt', Buffer.concat([Buffer.from('XYZ \0\0\0\0', 'latin1'), s15(0.9642), s15(1), s15(0.8249)])],
    ['kTRC', Buffer.concat([Buffer.from('curv\0\0\0\0', 'latin1'), Buffer.from([0, 0, 0, 1, 0x02, 0x33, 0, 0])])],
    ['cprt', Buffer.from('text\0\0\0\0No copyright\0\0\0\0', 'latin1')],
  ];
  const table = Buffer.alloc(4 + 12 * tags.length);
  table.writeUInt32BE(tags.length);
  let at = 128 + table.length;
  const bodies = tags.map(([sig, data], i) => {
    const body = Buffer.concat([data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
    table.write(sig, 4 + 12 * i, 'latin1');
    table.writeUInt32BE(at, 8 + 12 * i);
    table.writeUInt32BE(data.length, 12 + 12 * i);
    at += body.length;
    return body;
  });
  const header = Buffer.alloc(128);
  header.writeUInt32BE(at, 0);
  header.writeUInt32BE(0x02100000, 8);
  header.write('mntrGRAYXYZ ', 12, 'latin1');
  header.write('acsp', 36, 'latin1');
  Buffer.concat([s15(0.9642), s15(1), s15(0.8249)]).copy(header, 68);
  const icc = Buffer.concat([header, table, ...bodies]);
  return appSegment(2, Buffer.concat([Buffer.from('ICC_PROFILE\0', 'latin1'), Buffer.from([1, 1]), icc]));
}

/**
 * A real photo re-saved with camera EXIF (make, model, date, GPS), XMP, IPTC (FIXTURE_IPTC), a
 * Display P3 profile and EXIF orientation 6 (stored sideways: viewers turn it 90 degrees clockwise).
 */
export async function makeCameraJpeg(photo: string, dest: string): Promise<void> {
  const jpeg = await sharp(path.join(REAL_PHOTOS, photo))
    .withMetadata({
      orientation: 6,
      icc: 'p3',
      exif: {
        IFD0: { Make: 'Hazeco', Model: 'H1 Mark II' },
        IFD2: { DateTimeOriginal: '2024:05:06 07:08:09' },
        IFD3: { GPSLatitudeRef: 'N', GPSLatitude: '51/1 30/1 3230/100', GPSLongitudeRef: 'W', GPSLongitude: '0/1 7/1 4366/100' },
      },
    })
    .withXmp(FIXTURE_XMP)
    .jpeg({ quality: 95 })
    .toBuffer();
  // sharp writes no IPTC of its own: the segment goes in after the start of image.
  fs.writeFileSync(dest, Buffer.concat([jpeg.subarray(0, 2), FIXTURE_IPTC, jpeg.subarray(2)]));
}

/** A real photo as a 16-bit file with genuinely 16-bit content (a smooth gain, not just v*257). */
export async function make16Bit(photo: string, dest: string, format: 'png' | 'tiff'): Promise<void> {
  const widened = await sharp(path.join(REAL_PHOTOS, photo)).toColourspace('rgb16').png().toBuffer();
  // A second pass, as sharp applies linear() before the bit depth change.
  const p = sharp(widened).linear(0.93, 1234).toColourspace('rgb16');
  await (format === 'png' ? p.png() : p.tiff({ compression: 'lzw' })).toFile(dest);
}

export interface PixelStats {
  /** Mean of min(R,G,B): haze lifts it (the dark channel prior). */
  darkChannel: number;
  /** Standard deviation of luma: haze flattens it. */
  contrast: number;
}

export async function pixelStats(file: string): Promise<PixelStats> {
  const { data, info } = await sharp(file).removeAlpha().toColourspace('srgb').raw().toBuffer({ resolveWithObject: true });
  let dark = 0;
  let sum = 0;
  let sum2 = 0;
  const n = info.width * info.height;
  for (let i = 0; i < n; i++) {
    const r = data[i * 3];
    const g = data[i * 3 + 1];
    const b = data[i * 3 + 2];
    dark += Math.min(r, g, b);
    const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
    sum += y;
    sum2 += y * y;
  }
  const mean = sum / n;
  return { darkChannel: dark / n, contrast: Math.sqrt(sum2 / n - mean * mean) };
}

export function jsonLines(stdout: string): Record<string, unknown>[] {
  return stdout
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}
