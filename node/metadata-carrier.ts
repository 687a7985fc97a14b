import sharp, { type Metadata, type Sharp } from 'sharp';

/**
 * A photo's metadata (EXIF, XMP, IPTC, ICC profile) held by a 1x1 black PNG.
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
  png: Buffer;
  channels: 3 | 4;
  bitDepth: 8 | 16;
  hasExif: boolean;
  hasXmp: boolean;
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

/** Returns null when the input has nothing worth carrying. */
export async function makeMetadataCarrier(req: CarrierRequest): Promise<MetadataCarrier | null> {
  const { metadata: m, keepIcc, channels, bitDepth } = req;
  const hasIcc = keepIcc && m.icc !== undefined;
  const hasExif = m.exif !== undefined;
  const hasXmp = m.xmp !== undefined;
  if (!hasIcc && !hasExif && !hasXmp && m.iptc === undefined) return null;

  // Extract before rotate: a pre-rotation crop, so libvips decodes only the top of the file.
  let first = sharp(req.input, { failOn: 'none' }).extract({ left: 0, top: 0, width: 1, height: 1 }).rotate();
  first = hasIcc ? first.keepMetadata() : first.keepExif().keepXmp();
  first = first.toColourspace(bitDepth === 16 ? 'rgb16' : 'srgb');
  first = channels === 4 ? first.ensureAlpha() : first.removeAlpha();
  const pixel = await first.png({ compressionLevel: 0 }).toBuffer();

  // Second pass because sharp applies linear() before the colourspace/alpha changes above, and
  // only now is the number of bands known to be `channels`.
  const zeros = new Array<number>(channels).fill(0);
  const png = await sharp(pixel).linear(zeros, zeros).keepMetadata().png({ compressionLevel: 0 }).toBuffer();
  return { png, channels, bitDepth, hasExif, hasXmp, hasIcc };
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
  return sharp(carrier.png)
    .extend({ right: width - 1, bottom: height - 1, background })
    // sharp's typings say Buffer, but it takes any typed array and reads Uint16Array as 16-bit.
    .boolean(data as unknown as Buffer, 'or', { raw: { width, height, channels } })
    .keepMetadata();
}

/** The same carrier at another bit depth (its one pixel is 0 either way). */
export async function carrierAtDepth(carrier: MetadataCarrier, bitDepth: 8 | 16): Promise<MetadataCarrier> {
  if (carrier.bitDepth === bitDepth) return carrier;
  const png = await sharp(carrier.png)
    .keepMetadata()
    .toColourspace(bitDepth === 16 ? 'rgb16' : 'srgb')
    .png({ compressionLevel: 0 })
    .toBuffer();
  return { ...carrier, png, bitDepth };
}
