import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { crc32, inflateSync } from 'node:zlib';
import sharp from 'sharp';
import { escapeRegExp, prefixesOf, quotedNamespace } from './xmp-text';

/**
 * The one rule for "did Hazeless write this file?", on which Hazeless's promise rests that it
 * replaces only files it wrote itself and never takes them for inputs.
 *
 * Every image Hazeless writes carries, in its XMP, an rdf:Description of our own namespace whose
 * `hazeless:Digest` is the SHA-256 of the finished file (with those 64 digits read as zeros). A
 * file is ours only while that digest still matches: a photo Hazeless never wrote has no mark,
 * and an output that another program re-saved (editors keep unknown XMP, so the mark survives)
 * no longer matches, so it counts as the user's file too. The user's own XMP is kept: the mark is
 * one more rdf:Description beside theirs. XMP sits in the file's raw bytes in JPEG, WebP, AVIF
 * and TIFF; libvips compresses it in PNG, so PNG outputs get it back as an uncompressed iTXt.
 */

const NAMESPACE = 'https://hazeless.app/ns/output/1.0/';
const DIGEST_ATTR = 'hazeless:Digest="sha256:';
const DIGITS = 64;
const ZEROS = '0'.repeat(DIGITS);
/** Our mark as written; a mark carried over from an input (re-export of an output) is removed first. */
const MARK_ELEMENT = (digest: string): string => `<rdf:Description rdf:about="" xmlns:hazeless="${NAMESPACE}" ${DIGEST_ATTR}${digest}"/>`;
/** Our mark as we write it, up to its digits (sealed or not). */
const MARK_START = `xmlns:hazeless="${NAMESPACE}" ${DIGEST_ATTR}`;
const EMPTY_PACKET = (body: string): string =>
  '<?xpacket begin="\uFEFF" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' +
  `<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">${body}</rdf:RDF></x:xmpmeta><?xpacket end="w"?>`;

/**
 * The XMP packet for an output: the source's own XMP (if any) plus an unsealed mark. Returns the
 * source's XMP unchanged when it has no rdf:RDF to add to (malformed): the output then keeps the
 * user's metadata and simply does not count as ours.
 */
export function xmpWithMark(sourceXmp?: Buffer | string): string {
  if (sourceXmp === undefined || sourceXmp.length === 0) return EMPTY_PACKET(MARK_ELEMENT(ZEROS));
  const text = withoutMarks(sourceXmp.toString());
  const end = text.lastIndexOf('</rdf:RDF>');
  if (end < 0) return text;
  return text.slice(0, end) + MARK_ELEMENT(ZEROS) + text.slice(end);
}


/**
 * The XMP without any Hazeless digest, in whatever form another editor left a carried-over mark:
 * an attribute or an element, under any prefix bound to our namespace, alone in an
 * rdf:Description or merged into another. An rdf:Description left with nothing but its subject
 * and namespaces, ours among them, goes too.
 */
function withoutMarks(xmp: string): string {
  let text = xmp;
  for (const p of prefixesOf(xmp, NAMESPACE)) {
    const name = escapeRegExp(`${p}:Digest`);
    text = text
      .replace(new RegExp(`\\s${name}\\s*=\\s*(["'])[^"']*\\1`, 'g'), '')
      .replace(new RegExp(`<${name}(?:\\s[^>]*)?/>|<${name}(?:\\s[^>]*)?>[^<]*</${name}\\s*>`, 'g'), '');
  }
  const ns = new RegExp(`xmlns:[\\w.-]+\\s*=\\s*${quotedNamespace(NAMESPACE)}`);
  const emptyDescription = /<([\w.-]+):Description((?:\s+[\w.-]+:[\w.-]+\s*=\s*(?:"[^"]*"|'[^']*'))*)\s*(?:\/>|>\s*<\/\1:Description\s*>)/g;
  return text.replace(emptyDescription, (all: string, _rdf: string, attrs: string) => {
    const names = [...attrs.matchAll(/([\w.-]+):([\w.-]+)\s*=/g)];
    const bare = names.every(([, prefix, local]) => prefix === 'xmlns' || local === 'about');
    return bare && ns.test(attrs) ? '' : all;
  });
}

/**
 * Writes the digest into an encoded image that carries an unsealed mark (from xmpWithMark).
 * Returns the sealed bytes (a new buffer for PNG, the same one patched otherwise); bytes with no
 * unsealed mark come back unchanged.
 */
export function sealMark(bytes: Buffer): Buffer {
  const file = isPng(bytes) ? pngWithPlainXmp(bytes) : bytes;
  const at = onlyDigest(file);
  if (at < 0 || file.toString('latin1', at, at + DIGITS) !== ZEROS) return file;
  file.write(digestOf(file, at), at, 'latin1');
  if (isPng(file)) fixPngCrc(file, at);
  return file;
}

/** True when `bytes` are an image Hazeless wrote and nothing has changed since. */
export function isMarkedBytes(bytes: Buffer): boolean {
  const at = onlyDigest(bytes);
  if (at < 0) return false;
  const digest = bytes.toString('latin1', at, at + DIGITS);
  return /^[0-9a-f]+$/.test(digest) && digest !== ZEROS && digest === digestOf(bytes, at);
}

/**
 * True when `file` is a regular file Hazeless wrote and nothing has changed since. Reads the
 * image header (sharp) first; only files that carry a mark are read in full to check it.
 * Anything unreadable counts as not ours.
 */
export async function isHazelessOutput(file: string): Promise<boolean> {
  try {
    if (!(await fs.lstat(file)).isFile()) return false;
    const { xmp } = await sharp(file, { failOn: 'none' }).metadata();
    if (!xmp?.includes(DIGEST_ATTR)) return false;
    return isMarkedBytes(await fs.readFile(file));
  } catch {
    return false;
  }
}

/** The chunk isHazelessWork reads at a time. */
const WORK_CHUNK_BYTES = 1024 * 1024;

/**
 * Writes `bytes`, an image carrying its mark, to `file`, a new file (never through one already
 * there), so that cut short at any point it is still recognisably Hazeless work (isHazelessWork):
 * the mark goes first (wherever the format puts it: near the start of a JPEG or PNG, after the
 * pixels and any ICC profile in a TIFF, WebP or AVIF), then the rest.
 */
export async function writeWork(file: string, bytes: Buffer): Promise<void> {
  const h = await fs.open(file, 'wx');
  try {
    // The mark's own few hundred bytes: one small write, which a killed process finishes or never starts.
    const mark = Math.max(0, bytes.indexOf(MARK_START, 0, 'latin1'));
    const first: [number, number] = [mark, Math.min(bytes.length, mark + MARK_ELEMENT(ZEROS).length)];
    for (const [from, to] of [first, [0, first[0]], [first[1], bytes.length]]) {
      for (let at = from; at < to; ) at += (await h.write(bytes, at, to - at, at)).bytesWritten;
    }
  } finally {
    await h.close();
  }
}

/**
 * True when `file` is Hazeless's own write in progress, or one that a killed process cut short:
 * empty, or carrying the mark anywhere (writeWork writes the region that holds it first). Reads
 * the file a chunk at a time until it finds the mark (only stale temporary files are asked
 * about); never decodes pixels. A user's file, even one that carries XMP of its own, is not
 * Hazeless work.
 */
export async function isHazelessWork(file: string): Promise<boolean> {
  let h: fs.FileHandle;
  try {
    h = await fs.open(file, 'r');
  } catch {
    return false;
  }
  try {
    const { size } = await h.stat();
    if (size === 0) return true;
    // Chunks overlap by the mark's length, so that one cut in two is still found.
    const chunk = Buffer.alloc(WORK_CHUNK_BYTES + MARK_START.length);
    for (let at = 0; at < size; at += WORK_CHUNK_BYTES) {
      const { bytesRead } = await h.read(chunk, 0, chunk.length, at);
      if (hasMark(chunk.subarray(0, bytesRead))) return true;
    }
    return false;
  } catch {
    return false;
  } finally {
    await h.close();
  }
}

function hasMark(bytes: Buffer): boolean {
  return bytes.includes(MARK_START, 0, 'latin1');
}

/** Offset of the digest's digits when the bytes hold exactly one mark, else -1. */
function onlyDigest(bytes: Buffer): number {
  const first = bytes.indexOf(DIGEST_ATTR, 0, 'latin1');
  if (first < 0 || bytes.indexOf(DIGEST_ATTR, first + 1, 'latin1') >= 0) return -1;
  const at = first + DIGEST_ATTR.length;
  return at + DIGITS < bytes.length ? at : -1;
}

/**
 * SHA-256 of the bytes with the digest read as zeros (and, in PNG, the CRC that covers it),
 * hashed piece by piece so a large output is not copied.
 */
function digestOf(bytes: Buffer, at: number): string {
  const hash = createHash('sha256').update(bytes.subarray(0, at)).update(ZEROS, 'latin1');
  const chunk = isPng(bytes) ? chunkAt(bytes, at) : undefined;
  if (!chunk) return hash.update(bytes.subarray(at + DIGITS)).digest('hex');
  // The chunk's CRC as it reads with zeros in place of the digest.
  const crcAt = chunk.end - 4;
  const typeToDigest = crc32(bytes.subarray(chunk.start + 4, at));
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(bytes.subarray(at + DIGITS, crcAt), crc32(ZEROS, typeToDigest)));
  return hash.update(bytes.subarray(at + DIGITS, crcAt)).update(crc).update(bytes.subarray(chunk.end)).digest('hex');
}

// ---- PNG: chunks are length, type, data, CRC-32 of type + data.

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const XMP_KEYWORD = 'XML:com.adobe.xmp';

function isPng(bytes: Buffer): boolean {
  return bytes.length > 8 && bytes.subarray(0, 8).equals(PNG_SIGNATURE);
}

interface PngChunk {
  /** Offset of the length field. */
  start: number;
  type: string;
  data: Buffer;
  /** Offset just past the CRC. */
  end: number;
}

function* pngChunks(bytes: Buffer): Generator<PngChunk> {
  let pos = 8;
  while (pos + 12 <= bytes.length) {
    const length = bytes.readUInt32BE(pos);
    const end = pos + 12 + length;
    if (end > bytes.length) return;
    yield { start: pos, type: bytes.toString('latin1', pos + 4, pos + 8), data: bytes.subarray(pos + 8, pos + 8 + length), end };
    pos = end;
  }
}

function chunkAt(bytes: Buffer, at: number): PngChunk | undefined {
  for (const c of pngChunks(bytes)) if (at >= c.start && at < c.end) return c;
  return undefined;
}

/** Recomputes the CRC of the chunk that holds offset `at`. */
function fixPngCrc(bytes: Buffer, at: number): void {
  const c = chunkAt(bytes, at);
  if (c) bytes.writeUInt32BE(crc32(bytes.subarray(c.start + 4, c.end - 4)), c.end - 4);
}

/** The PNG with its XMP chunk (iTXt/zTXt, often compressed) rewritten as an uncompressed iTXt. */
function pngWithPlainXmp(bytes: Buffer): Buffer {
  for (const c of pngChunks(bytes)) {
    if (c.type !== 'iTXt' && c.type !== 'zTXt') continue;
    const nul = c.data.indexOf(0);
    if (nul < 0 || c.data.toString('latin1', 0, nul) !== XMP_KEYWORD) continue;
    if (c.type === 'iTXt' && c.data[nul + 1] === 0) return bytes;
    const xmp = xmpOfChunk(c);
    if (xmp === null || !xmp.includes(Buffer.from(DIGEST_ATTR))) return bytes;
    // keyword, NUL, compression flag 0, method 0, empty language tag, NUL, empty translated keyword, NUL
    const data = Buffer.concat([Buffer.from(XMP_KEYWORD, 'latin1'), Buffer.from([0, 0, 0, 0, 0]), xmp]);
    const chunk = Buffer.alloc(12 + data.length);
    chunk.writeUInt32BE(data.length, 0);
    chunk.write('iTXt', 4, 'latin1');
    data.copy(chunk, 8);
    chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
    return Buffer.concat([bytes.subarray(0, c.start), chunk, bytes.subarray(c.end)]);
  }
  return bytes;
}

function xmpOfChunk(c: PngChunk): Buffer | null {
  const nul = c.data.indexOf(0);
  try {
    if (c.type === 'zTXt') return inflateSync(c.data.subarray(nul + 2));
    const compressed = c.data[nul + 1] === 1;
    const lang = c.data.indexOf(0, nul + 3);
    const translated = c.data.indexOf(0, lang + 1);
    if (lang < 0 || translated < 0) return null;
    const text = c.data.subarray(translated + 1);
    return compressed ? inflateSync(text) : text;
  } catch {
    return null;
  }
}
