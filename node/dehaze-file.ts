import { throwIfAborted } from '../engine/abort';
import { defaultAdjustments } from '../engine/adjustments';
import { estimateHaze } from '../engine/estimate';
import { renderDehazed } from '../engine/render';
import type { Adjustments, InferenceBackend, ModelManifest, Progress } from '../engine/types';
import { formatFacts, type ImageFormat } from '../common/formats/index';
import { decodeImage, encodeImageToFile, shrinkToFit, type SourceInfo } from './image-io';
import { ProtectedFiles, assertWritable, writeAtomically } from './safe-write';

/** Milliseconds per stage of one file. */
export interface StageTimings {
  /** Reading and decoding the file. */
  decode: number;
  /** Network-size input, the network, guided-filter coefficients (engine's estimateHaze). */
  network: number;
  /** Optional shrink for maxSize, coefficient upsampling and reconstruction at output size. */
  reconstruction: number;
  /** Encoding, writing, fsync and rename. */
  encode: number;
  total: number;
}

export interface DehazeFileOptions {
  input: string;
  /** Output path, or a function of what the decoder found (e.g. to pick the extension). */
  output: string | ((source: SourceInfo, format: ImageFormat) => string);
  /**
   * The network, or what makes it, asked once the photo is decoded: the command line's main
   * thread loads its session then (about 40 ms that hold its thread), so that the batch's worker
   * threads have started first.
   */
  backend: InferenceBackend | (() => Promise<InferenceBackend>);
  manifest: ModelManifest;
  /** Default: the manifest's defaults. */
  adjustments?: Adjustments;
  /** Default: the input's own format. */
  format?: ImageFormat;
  /** 1..100 for lossy formats. */
  quality?: number;
  /** Shrink the long edge to at most this many pixels. */
  maxSize?: number;
  overwrite?: boolean;
  /** Files never to be replaced; must include the input (default: just the input). */
  protect?: ProtectedFiles;
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  /**
   * Called with the temporary file's path just before it is written: a caller that may kill
   * this thread mid-write (where the temporary file's own clean-up cannot run) removes it.
   */
  onTempFile?: (tmp: string) => void;
}

export interface DehazeFileResult {
  input: string;
  output: string;
  format: ImageFormat;
  width: number;
  height: number;
  bitDepth: 8 | 16;
  timings: StageTimings;
  /** The engine's own breakdown of the estimate (downscale, network, guidedFilter, ...). */
  engineTimings: Record<string, number>;
}

/**
 * Dehazes one photo end to end: decode, estimate (the network runs once), render in bands at
 * output size, encode with the photo's metadata, and write atomically. Shared by the CLI and the
 * desktop app's export jobs. Throws ImageReadError for unreadable input, OutputExistsError /
 * InputCollisionError for refused outputs, AbortError on abort.
 */
export async function dehazeFile(opts: DehazeFileOptions): Promise<DehazeFileResult> {
  const { input, signal, onProgress, manifest } = opts;
  const protect = opts.protect ?? (await ProtectedFiles.of([input]));
  const overwrite = opts.overwrite ?? false;
  // Refuse early (before minutes of work on a big photo) when the output is already known.
  if (typeof opts.output === 'string') await assertWritable(opts.output, overwrite, protect);

  const start = performance.now();
  let t = start;
  const lap = (): number => {
    const n = performance.now();
    const d = n - t;
    t = n;
    return d;
  };

  onProgress?.({ stage: 'decode', done: 0, total: 1 });
  const { image, info } = await decodeImage(input, { signal });
  onProgress?.({ stage: 'decode', done: 1, total: 1 });
  const decode = lap();

  const format = opts.format ?? info.format;
  const output = typeof opts.output === 'string' ? opts.output : opts.output(info, format);
  if (typeof opts.output !== 'string') await assertWritable(output, overwrite, protect);

  const backend = typeof opts.backend === 'function' ? await opts.backend() : opts.backend;
  throwIfAborted(signal);
  const estimate = await estimateHaze(backend, manifest, image, { signal, onProgress });
  const network = lap();

  const target = await shrinkToFit(image, opts.maxSize);
  throwIfAborted(signal);
  // In place: the decoded pixels are not needed afterwards, and a 100 MP photo is big.
  const adjustments = opts.adjustments ?? defaultAdjustments(manifest);
  const rendered = await renderDehazed(target, estimate, manifest, adjustments, { output: target, signal, onProgress });
  const reconstruction = lap();

  onProgress?.({ stage: 'encode', done: 0, total: 1 });
  await writeAtomically(
    output,
    (tmp) => {
      opts.onTempFile?.(tmp);
      // A lossless WebP stays lossless unless a quality is asked for.
      const lossless = format === 'webp' && info.losslessWebp && opts.quality === undefined;
      return encodeImageToFile(rendered, tmp, { format, quality: opts.quality, metadata: info.metadata, grey: info.grey, lossless });
    },
    { overwrite, protect, signal },
  );
  onProgress?.({ stage: 'encode', done: 1, total: 1 });
  const encode = lap();

  return {
    input,
    output,
    format,
    width: rendered.width,
    height: rendered.height,
    bitDepth: rendered.data instanceof Uint16Array && formatFacts(format).sixteenBit ? 16 : 8,
    timings: { decode, network, reconstruction, encode, total: performance.now() - start },
    engineTimings: estimate.timings,
  };
}
