import sharp, { type Metadata, type Sharp } from 'sharp';

/**
 * A photo's metadata (EXIF, XMP, IPTC, ICC profile) held by a 1x1 black image: a PNG (which takes
 * alpha, 16 bits and blocks of any size, but no IPTC), and where the photo has IPTC (a caption, a
 * byline, a copyright notice) a JPEG beside it for JPEG outputs, the one format libvips writes
 * whole IPTC into (into a TIFF it writes a truncated copy: no IPTC is better than that).
 *
 * Why: sharp can only keep metadata that arrives with its input, and our output pixels arrive as
 * raw samples, which carry none. `withExif` takes strings (it would lose tag types and the
 * maker note) and `withIccProfile` converts the pixels into the profile instead of just tagging
 * them. So we let libvips copy the metadata blocks untouched from the original file into this
 * tiny image (cheap: only the first pixel row/MCU of the input is decoded), and at encode time
 * extend it to full size with black and OR our pixels into it, which reproduces them exactly
 * while the carrier's metadata flows into the output. Orientation is reset to 1 on the way, as
 * the decoded pixels are already upright.
 */
export interface MetadataCarrier {
  /** The 1x1 image, of `channels` and `bitDepth`: a PNG, or (carrierForJpeg's) a JPEG. */
  bytes: Buffer;
  channels: 3 | 4;
  bitDepth: 8 | 16;
  /** For a JPEG output (8-bit RGB) of a photo with IPTC: a 1x1 JPEG that carries it too. */
  forJpeg: Buffer | null;
  hasExif: boolean;
  hasXmp: boolean;
  /** The photo's XMP packet, as the carrier holds it (undefined: none). */
  xmp: Buffer | undefined;
  hasIcc: boolean;
}

export interface CarrierRequest {
  /** The original file (path or bytes). */
  input: string | Buffer;
  metadata: Metadata;
  /** Keep the ICC profile: only when the pixels stay in the profile's own (RGB) terms. */
  keepIcc: boolean;
  channels: 3 | 4;
  bitDepth: 8 | 16;
}

/** A JPEG segment's payload at most: EXIF takes one segment in a JPEG (ICC is split). */
const JPEG_SEGMENT_BYTES = 65533;
/** The most XMP libvips writes into a JPEG: it leaves out a longer packet altogether. */
export const JPEG_XMP_BYTES = 60_000;

/** The carrier's own file: black, so that it decodes to exactly 0 (JPEG too, at quality 100 without subsampling). */
function carrierFile(pipeline: Sharp, jpeg: boolean): Promise<Buffer> {
  return (jpeg ? pipeline.jpeg({ quality: 100, chromaSubsampling: '4:4:4' }) : pipeline.png({ compressionLevel: 0 })).toBuffer();
}

/** Returns null when the input has nothing worth carrying. */
export async function makeMetadataCarrier(req: CarrierRequest): Promise<MetadataCarrier | null> {
  const { metadata: m, keepIcc, channels, bitDepth } = req;
  const hasIcc = keepIcc && m.icc !== undefined;
  const hasExif = m.exif !== undefined;
  const hasXmp = m.xmp !== undefined;
  if (!hasIcc && !hasExif && !hasXmp && m.iptc === undefined) return null;

  const iptcInJpeg = m.iptc !== undefined && (m.exif?.length ?? 0) <= JPEG_SEGMENT_BYTES - 6 && (m.xmp?.length ?? 0) <= JPEG_XMP_BYTES;
  const bytes = await carrierImage(req, channels, bitDepth, false);
  const forJpeg = iptcInJpeg ? await carrierImage(req, 3, 8, true) : null;
  return { bytes, channels, bitDepth, forJpeg, hasExif, hasXmp, xmp: m.xmp, hasIcc };
}

/** The carrier image itself: `channels` and `bitDepth`, as a PNG or (8-bit RGB) a JPEG. */
async function carrierImage(req: CarrierRequest, channels: 3 | 4, bitDepth: 8 | 16, jpeg: boolean): Promise<Buffer> {
  const m = req.metadata;
  // Extract before rotate: a pre-rotation crop, so libvips decodes only the top of the file.
  let first = sharp(req.input, { failOn: 'none' }).extract({ left: 0, top: 0, width: 1, height: 1 }).rotate();
  // Every block, IPTC too; a photo whose profile describes pixels it no longer has (CMYK and
  // grey photos are decoded to sRGB) is tagged sRGB instead (libvips leaves an RGB profile out of
  // a grey output, which is then sRGB's grey untagged).
  first = req.keepIcc || m.icc === undefined ? first.keepMetadata() : first.keepMetadata().withIccProfile('srgb');
  first = first.toColourspace(bitDepth === 16 ? 'rgb16' : 'srgb');
  first = channels === 4 ? first.ensureAlpha() : first.removeAlpha();
  const pixel = await carrierFile(first, jpeg);

  // Second pass because sharp applies linear() before the colourspace/alpha changes above, and
  // only now is the number of bands known to be `channels`.
  const zeros = new Array<number>(channels).fill(0);
  return carrierFile(sharp(pixel).linear(zeros, zeros).keepMetadata(), jpeg);
}

/**
 * A sharp pipeline whose image is `data` (width x height x channels, 8- or 16-bit) with the
 * carrier's metadata attached. The carrier must match the data's channels and bit depth.
 */
export function pipelineWithMetadata(
  carrier: MetadataCarrier,
  data: Uint8Array | Uint16Array,
  width: number,
  height: number,
  channels: 3 | 4,
): Sharp {
  const bitDepth = data instanceof Uint16Array ? 16 : 8;
  if (carrier.channels !== channels || carrier.bitDepth !== bitDepth) {
    throw new Error(`metadata carrier is ${carrier.channels}ch/${carrier.bitDepth}-bit, image is ${channels}ch/${bitDepth}-bit`);
  }
  // An opaque background would add an alpha band to a 3-band image; a clear one keeps 4 bands at 0.
  const background = channels === 4 ? { r: 0, g: 0, b: 0, alpha: 0 } : { r: 0, g: 0, b: 0, alpha: 1 };
  return sharp(carrier.bytes)
    .extend({ right: width - 1, bottom: height - 1, background })
    // sharp's typings say Buffer, but it takes any typed array and reads Uint16Array as 16-bit.
    .boolean(data as unknown as Buffer, 'or', { raw: { width, height, channels } })
    .keepMetadata();
}

/** The same carrier at another bit depth (its one pixel is 0 either way). */
export async function carrierAtDepth(carrier: MetadataCarrier, bitDepth: 8 | 16): Promise<MetadataCarrier> {
  if (carrier.bitDepth === bitDepth) return carrier;
  const bytes = await sharp(carrier.bytes)
    .keepMetadata()
    .toColourspace(bitDepth === 16 ? 'rgb16' : 'srgb')
    .png({ compressionLevel: 0 })
    .toBuffer();
  return { ...carrier, bytes, bitDepth };
}

/**
 * The carrier for a JPEG output (8-bit RGB): the one made for it where the photo has IPTC, else
 * this one without its alpha (its one pixel is 0 either way).
 */
export async function carrierForJpeg(carrier: MetadataCarrier): Promise<MetadataCarrier> {
  if (carrier.forJpeg) return { ...carrier, bytes: carrier.forJpeg, channels: 3, bitDepth: 8, forJpeg: null };
  const at8 = await carrierAtDepth(carrier, 8);
  if (at8.channels === 3) return at8;
  const bytes = await sharp(at8.bytes).removeAlpha().keepMetadata().png({ compressionLevel: 0 }).toBuffer();
  return { ...at8, bytes, channels: 3 };
}
