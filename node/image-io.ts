import { constants as fsConstants } from 'node:fs';
import fs from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo, type Sharp, type SharpOptions } from 'sharp';
import type { ImageBuffer, PixelData } from '../engine/types';
import { throwIfAborted } from '../engine/abort';
import { sealMark, writeWork, xmpWithMark } from './hazeless-mark';
import { formatFacts, type ImageFormat } from '../common/formats/index';
import { EXPORT_QUALITY } from '../common/contract';
import { jpeg } from '../common/formats/jpeg';
import { formatFromSharp, isLosslessWebp } from './image-formats';
import { xmpForPixels } from './xmp-geometry';
import { JPEG_XMP_BYTES, carrierAtDepth, carrierForJpeg, makeMetadataCarrier, pipelineWithMetadata, type MetadataCarrier } from './metadata-carrier';

/** What we learnt about a decoded photo; enough to write it back faithfully. */
export interface SourceInfo {
  format: ImageFormat;
  /** Upright size (after EXIF orientation). */
  width: number;
  height: number;
  bitDepth: 8 | 16;
  channels: 3 | 4;
  /** EXIF orientation of the file (1 when absent); the decoded pixels are always upright. */
  orientation: number;
  /** The pixels are in the terms of this embedded ICC profile (kept on output); false: sRGB. */
  hasIccProfile: boolean;
  /** A grey photo (decoded as RGB with equal channels): written back as grey. */
  grey: boolean;
  /** A lossless WebP: written back lossless unless a quality is asked for. */
  losslessWebp: boolean;
  metadata: MetadataCarrier | null;
}

export interface DecodedImage {
  image: ImageBuffer;
  info: SourceInfo;
}

/** A file we cannot decode: `reason` is one short line fit for a batch report. */
export class ImageReadError extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'ImageReadError';
  }
}

// 'error' also fails on truncated data (a lower level), yet tolerates the harmless warnings
// (odd markers, extra bytes) that many cameras and editors leave in otherwise fine files.
const READ_OPTIONS: SharpOptions = { failOn: 'error' };

/**
 * Decodes a JPEG/PNG/WebP/AVIF/TIFF file (or its bytes) to interleaved RGB(A), upright, at its
 * own bit depth (16-bit stays 16-bit). RGB photos stay in their embedded profile's terms (no
 * conversion), so writing them back with the same profile loses nothing; grey and CMYK photos
 * are converted to sRGB.
 */
export async function decodeImage(input: string | Buffer, opts: { signal?: AbortSignal } = {}): Promise<DecodedImage> {
  throwIfAborted(opts.signal);
  const meta = await readMetadata(input);
  const format = formatFromSharp(meta.format, meta.compression);
  if (!format) throw new ImageReadError(`unsupported image format "${meta.format}"`);

  const rgb = meta.space === 'srgb' || meta.space === 'rgb16';
  const grey = meta.space === 'b-w' || meta.space === 'grey16';
  const bitDepth: 8 | 16 = meta.depth === 'uchar' || meta.depth === 'char' ? 8 : 16;
  const channels: 3 | 4 = meta.hasAlpha ? 4 : 3;

  let pipeline = sharp(input, READ_OPTIONS).rotate();
  if (rgb) pipeline = pipeline.keepIccProfile();
  pipeline = pipeline.toColourspace(bitDepth === 16 ? 'rgb16' : 'srgb');
  pipeline = channels === 4 ? pipeline.ensureAlpha() : pipeline.removeAlpha();
  let raw: { data: Buffer; info: OutputInfo };
  try {
    raw = await keepingReason(() => pipeline.raw({ depth: bitDepth === 16 ? 'ushort' : 'uchar' }).toBuffer({ resolveWithObject: true }));
  } catch (e) {
    throw await readFailure(input, e);
  }
  throwIfAborted(opts.signal);
  const { width, height } = raw.info;
  if (raw.info.channels !== channels) throw new ImageReadError(`decoded ${raw.info.channels} channels, expected ${channels}`);
  const data = bitDepth === 16 ? asUint16(raw.data) : new Uint8Array(raw.data.buffer, raw.data.byteOffset, raw.data.length);

  const metadata = await makeMetadataCarrier({ input, metadata: meta, keepIcc: rgb, channels, bitDepth });
  return {
    image: { width, height, channels, data },
    info: {
      format,
      width,
      height,
      bitDepth,
      channels,
      orientation: meta.orientation ?? 1,
      hasIccProfile: rgb && meta.icc !== undefined,
      grey,
      losslessWebp: format === 'webp' && (await isLosslessWebp(input)),
      metadata,
    },
  };
}

/**
 * A sharp read, tried again while its error has lost its reason. libvips keeps one error message
 * for the whole process, and any sharp call that ends in another thread clears it: a damaged
 * photo's reason can be gone ("Unknown error") before sharp reads it, about one time in five
 * while an album's other photos are decoded and encoded. A damaged photo fails early, or fast.
 */
async function keepingReason<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (e) {
      const lost = e instanceof Error && /^unknown error$/i.test(e.message.trim());
      if (!lost || attempt === 8) throw e;
    }
  }
}

async function readMetadata(input: string | Buffer): Promise<Metadata> {
  try {
    return await keepingReason(() => sharp(input, READ_OPTIONS).metadata());
  } catch (e) {
    throw await readFailure(input, e);
  }
}

/**
 * Why `input` could not be read: "permission denied" for a file we may not read (libvips calls
 * it "unsupported image format"), "empty file" for one of 0 bytes, else libvips's own reason.
 */
export async function readFailure(input: string | Buffer, e: unknown): Promise<ImageReadError> {
  if (typeof input === 'string') {
    try {
      await fs.access(input, fsConstants.R_OK);
      if ((await fs.stat(input)).size === 0) return new ImageReadError('empty file (0 bytes)');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') return new ImageReadError('permission denied');
    }
  } else if (input.length === 0) {
    return new ImageReadError('empty file (0 bytes)');
  }
  return new ImageReadError(cleanSharpMessage(e));
}

export interface EncodeOptions {
  format: ImageFormat;
  /** 1..100, lossy formats only; default: the format's `defaultQuality` (common/formats/). */
  quality?: number;
  /** Metadata of the source photo (EXIF, XMP, IPTC, ICC), from decodeImage. */
  metadata?: MetadataCarrier | null;
  /** Write grey (one channel, or two with alpha): the image's channels are equal (SourceInfo.grey). */
  grey?: boolean;
  /** WebP only: lossless (and `quality` unused), as the source was (SourceInfo.losslessWebp). */
  lossless?: boolean;
}

/**
 * A sharp pipeline that encodes `image` in `format`, carrying the source's metadata and an
 * unsealed Hazeless mark; encodeImage / encodeImageToFile end it and seal the mark. 16-bit
 * images stay 16-bit in PNG and TIFF and are rounded to 8-bit for the other formats.
 */
async function encoder(image: ImageBuffer, opts: EncodeOptions): Promise<Sharp> {
  const facts = formatFacts(opts.format);
  const quality = opts.quality ?? facts.defaultQuality ?? undefined;
  const { min, max } = EXPORT_QUALITY;
  if (quality !== undefined && (!Number.isInteger(quality) || quality < min || quality > max)) {
    throw new RangeError(`quality must be an integer ${min}..${max}, got ${quality}`);
  }
  const sixteen = image.data instanceof Uint16Array && facts.sixteenBit;
  const { width, height } = image;
  let { channels } = image;
  let data = sixteen ? (image.data as Uint16Array) : to8Bit(image.data);
  const jpegOut = opts.format === 'jpeg';
  const meta = opts.metadata;
  const carrier = meta ? await (jpegOut ? carrierForJpeg(meta) : carrierAtDepth(meta, sixteen ? 16 : 8)) : null;
  if (jpegOut && channels === 4) {
    // JPEG has no alpha: the photo is laid on white, as editors do, so that the colour under its
    // clear pixels (anything: they were never seen) stays unseen. Apart from the metadata's
    // carrier: in one pipeline sharp would flatten the carrier's one pixel instead.
    data = new Uint8Array(await sharp(data, { raw: { width, height, channels } }).flatten({ background: '#ffffff' }).raw().toBuffer());
    channels = 3;
  }
  // The source's XMP, made true of these pixels, plus the mark that says Hazeless wrote this
  // file (sealed once encoded, encodeImage).
  const sourceXmp = carrier?.xmp;
  let xmp = xmpWithMark(sourceXmp === undefined ? undefined : xmpForPixels(sourceXmp.toString(), width, height));
  // More than a JPEG takes (libvips would leave the whole packet out, mark and all): the mark alone.
  if (jpegOut && Buffer.byteLength(xmp) > JPEG_XMP_BYTES) xmp = xmpWithMark(undefined);
  const pipeline = (
    carrier ? pipelineWithMetadata(carrier, data, width, height, channels) : sharp(data, { raw: { width, height, channels } })
  )
    .withXmp(xmp)
    // sharp's default target is 8-bit sRGB: say so explicitly. From equal channels, grey is exact.
    .toColourspace(opts.grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb');
  switch (opts.format) {
    case 'jpeg':
      return pipeline.jpeg(jpegOptions(quality));
    case 'webp':
      return pipeline.webp(opts.lossless ? { lossless: true } : { quality });
    case 'avif':
      return pipeline.avif({ quality });
    case 'png':
      return pipeline.png({ compressionLevel: 6 });
    case 'tiff':
      // Lossless; sharp's default TIFF compression is JPEG, which would also drop 16-bit.
      return pipeline.tiff({ compression: 'deflate', predictor: 'horizontal' });
  }
}

/**
 * sharp's options for a JPEG at `quality`: from 90 up, colour at full resolution (4:4:4, as
 * libvips itself and the photo editors choose at high quality: saturated edges stay crisp), below
 * it subsampled (4:2:0) for smaller files.
 */
export function jpegOptions(quality: number = jpeg.defaultQuality): { quality: number; chromaSubsampling: '4:4:4' | '4:2:0' } {
  return { quality, chromaSubsampling: quality >= 90 ? '4:4:4' : '4:2:0' };
}

/** The encoded file, marked as written by Hazeless (node/hazeless-mark.ts). */
export async function encodeImage(image: ImageBuffer, opts: EncodeOptions): Promise<Buffer> {
  return sealMark(await (await encoder(image, opts)).toBuffer());
}

/**
 * Writes `image` to `file`, a new file (never through one already there), marked as written by
 * Hazeless (the path's extension is ignored: `opts.format` decides). Encoded in memory and only
 * then written: libvips runs on the process's shared thread pool, where an encode that writes
 * its own file could still create it after an interrupted process has removed its temporary
 * files (node/safe-write.ts) and while it exits.
 */
export async function encodeImageToFile(image: ImageBuffer, file: string, opts: EncodeOptions): Promise<void> {
  await writeWork(file, await encodeImage(image, opts));
}

/** 16-bit samples rounded to 8-bit (libvips would truncate, darkening by half a level). */
function to8Bit(data: PixelData): Uint8Array {
  if (!(data instanceof Uint16Array)) return data instanceof Uint8ClampedArray ? new Uint8Array(data.buffer, data.byteOffset, data.length) : data;
  const out = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = (data[i] * 255 + 32767) / 65535;
  return out;
}

/** Size that fits `maxSide` on the long edge, never enlarging. */
export function fitLongEdge(width: number, height: number, maxSide: number | undefined): { width: number; height: number } {
  if (!maxSide || Math.max(width, height) <= maxSide) return { width, height };
  const scale = maxSide / Math.max(width, height);
  return { width: Math.max(1, Math.round(width * scale)), height: Math.max(1, Math.round(height * scale)) };
}

/** Shrinks `image` to fit `maxSide` (Lanczos, in the photo's own encoding), or returns it as is. */
export async function shrinkToFit(image: ImageBuffer, maxSide: number | undefined): Promise<ImageBuffer> {
  const size = fitLongEdge(image.width, image.height, maxSide);
  if (size.width === image.width && size.height === image.height) return image;
  const { width, height, channels } = image;
  const sixteen = image.data instanceof Uint16Array;
  const out = await sharp(image.data, { raw: { width, height, channels } })
    .resize(size.width, size.height, { fit: 'fill', kernel: 'lanczos3' })
    // Say the bit depth: sharp's default target is 8-bit sRGB, so 16-bit samples would come back
    // as 0..255 in 16-bit words.
    .toColourspace(sixteen ? 'rgb16' : 'srgb')
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const data = sixteen ? asUint16(out.data) : new Uint8Array(out.data.buffer, out.data.byteOffset, out.data.length);
  return { width: out.info.width, height: out.info.height, channels, data };
}

function asUint16(buf: Buffer): Uint16Array {
  if (buf.byteOffset % 2 === 0) return new Uint16Array(buf.buffer, buf.byteOffset, buf.length / 2);
  const copy = new Uint16Array(buf.length / 2);
  new Uint8Array(copy.buffer).set(buf);
  return copy;
}

/** sharp/libvips messages, reduced to one readable line. */
export function cleanSharpMessage(e: unknown): string {
  const raw = e instanceof Error ? e.message : String(e);
  const line = raw
    .split('\n')
    .map((s) => s.trim())
    .filter((s) => s.length > 0 && !/^vips2(png|tiff|jpeg|webp|heif)/.test(s));
  const first = line[0] ?? 'unknown error';
  if (/unsupported image format/i.test(first)) return 'not a supported image (JPEG, PNG, WebP, AVIF or TIFF)';
  if (/premature end|truncated|not enough data|unexpected end|read error|out of data/i.test(raw)) return `truncated or damaged file (${first})`;
  return first;
}
