import { setMaxListeners } from 'node:events';
import { readFileSync, statSync } from 'node:fs';
import { constants as osConstants } from 'node:os';
import path from 'node:path';
import { isAbortError } from '../engine/abort';
import { defaultAdjustments, clampAdjustments } from '../engine/adjustments';
import { createNodeBackend } from '../engine/backend-node';
import type { InferenceBackend, Progress } from '../engine/types';
import { machineFigures, photoBytes, planConcurrency, type ConcurrencyPlan } from '../node/concurrency';
import { outputName } from '../common/export-naming';
import { FORMATS, formatFacts, formatFromExtension, type ImageFormat } from '../common/formats/index';
import { ImageReadError } from '../node/image-io';
import { findModel, type ModelFiles } from '../node/model-files';
import { readPhotoHeader } from '../node/photo-header';
import { inProcessLane, workerLane, type PhotoLane } from '../node/photo-lanes';
import { stopSpareThreads } from '../node/photo-threads';
import { runPool } from '../node/photo-pool';
import { nameKey } from '../node/same-name';
import { FolderNotWritableError, ForeignFileError, InputCollisionError, NameTooLongError, OutputExistsError, ProtectedFiles, removePendingTemps } from '../node/safe-write';
import { discoverInputs, type InputFile } from './discover';
import { InfoDisplayed, UsageError, parseCommandLine, type CliOptions } from './options';
import { namesIn, outputFolderFor } from './output-path';
import { PHOTO_WORKER } from './prestart';
import { createReporter, displayPath, type FileRecord, type Reporter } from './reporter';

export const EXIT_OK = 0;
export const EXIT_FAILED = 1;
export const EXIT_USAGE = 2;
/** 128 + SIGINT, the shell convention for a run stopped with Ctrl-C. */
export const EXIT_INTERRUPTED = 130;
/**
 * How long the photos in progress may take to stop once aborted before the command leaves without
 * them: a photo being encoded cannot be interrupted, and a service manager waits about 10 s
 * after SIGTERM before it kills.
 */
const ABORT_GRACE_MS = 3000;

export interface CliStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version?: string };
  return pkg.version ?? '0.0.0';
}

/**
 * Ends the process at once, killed by `signal` as if it had no handler (the shell says 130 for
 * SIGINT, 143 for SIGTERM, 141 for SIGPIPE), once the temporary files being written are removed:
 * exiting would wait for the encodes in progress (native work on the thread pool, which nothing
 * interrupts: seconds for a big AVIF). What was written stays; the photos in progress leave nothing.
 */
function endBySignal(signal: NodeJS.Signals): never {
  removePendingTemps();
  try {
    // Its default action back (node ignores SIGPIPE; a listener added and removed restores it).
    process.removeAllListeners(signal);
    const none = (): void => {};
    process.on(signal, none);
    process.off(signal, none);
    process.kill(process.pid, signal);
  } catch {
    // A signal this system does not have (SIGPIPE on Windows): the exit below.
  }
  // Where a signal does not end the process (Windows), the shell's number for it.
  process.exit(128 + (osConstants.signals[signal] ?? osConstants.signals.SIGINT));
}

/** How the command leaves at once: a batch running first puts its progress display away (runBatch). */
let leaveNow: (signal: NodeJS.Signals) => never = endBySignal;

/**
 * A reader that went away (`hazeless --json album | head -1`, a closed terminal): the command
 * ends as SIGPIPE would end it, rather than on an unhandled write error. For the process's whole
 * life: the summary is written after the batch.
 */
function onOutputError(e: NodeJS.ErrnoException): void {
  if (e.code !== 'EPIPE') throw e;
  leaveNow('SIGPIPE');
}

/** Runs `hazeless` with argv (without node and the script) and returns the exit status. */
export async function main(argv: string[], streams: CliStreams = process): Promise<number> {
  for (const stream of [streams.stdout, streams.stderr]) if (!stream.listeners('error').includes(onOutputError)) stream.on('error', onOutputError);
  try {
    return await runCommand(argv, streams);
  } finally {
    // Threads started ahead that no lane took (nothing to do, an error, an interrupted batch).
    await stopSpareThreads();
  }
}

async function runCommand(argv: string[], streams: CliStreams): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCommandLine(argv, packageVersion(), {
      writeOut: (s) => streams.stdout.write(s),
      writeErr: (s) => streams.stderr.write(s),
    });
  } catch (e) {
    if (e instanceof InfoDisplayed) return EXIT_OK;
    if (e instanceof UsageError) return EXIT_USAGE;
    throw e;
  }

  if (opts.quality !== undefined && opts.format !== undefined && !formatFacts(opts.format).lossy) {
    streams.stderr.write(`note: --quality has no effect on ${formatFacts(opts.format).label}, which is lossless\n`);
  }
  const notFolder = opts.out === undefined ? null : fileInPlaceOf(opts.out);
  if (notFolder !== null) {
    streams.stderr.write(`error: --out: ${displayPath(notFolder)} is a file, not a folder\n`);
    return EXIT_USAGE;
  }

  let model: ModelFiles;
  try {
    model = await findModel(opts.model);
  } catch (e) {
    streams.stderr.write(`error: ${(e as Error).message}\n`);
    return opts.model !== undefined ? EXIT_USAGE : EXIT_FAILED;
  }

  const { files, problems, outputs } = await discoverInputs(opts.inputs, { recursive: opts.recursive, outDir: opts.out });
  if (outputs.length > 0) {
    const n = outputs.length;
    streams.stderr.write(`${n} file${n === 1 ? '' : 's'} written by Hazeless left out (its outputs are never dehazed again)\n`);
  }
  if (files.length === 0 && problems.length === 0 && outputs.length > 0) {
    streams.stderr.write('Nothing to do: every photo found is an output of Hazeless.\n');
    return EXIT_OK;
  }
  if (files.length === 0 && problems.length === 0) {
    streams.stderr.write(`error: no photos (${FORMATS.map((f) => f.label).join(', ')}) found in ${opts.inputs.join(', ')}${opts.recursive ? '' : ' (use -r for subfolders)'}\n`);
    return EXIT_USAGE;
  }

  const plan = planConcurrency(machineFigures(), { photos: files.length, jobs: opts.jobs });
  // Threads the command started ahead for lanes this batch will not have.
  void stopSpareThreads(plan.jobs - 1);
  // The first lane is this thread, with a network session of its own: it starts on the first
  // photo at once, while the other lanes' worker threads are still loading. The session loads
  // once that photo is decoded (its loading holds this thread for about 40 ms, and the workers
  // start first). The progress display and Ctrl-C wait at most one band of the render, the
  // network's one run or the estimate's work after it (some 10 to 30 ms).
  // A network that cannot be loaded fails each photo with the reason, as in worker threads.
  const made: { backend?: Promise<InferenceBackend> } = {};
  const session = (): Promise<InferenceBackend> =>
    (made.backend ??= createNodeBackend(model.onnxPath, model.manifest, { intraOpNumThreads: plan.threadsPerPhoto }));
  try {
    return await runBatch(opts, model, session, plan, files, problems, streams);
  } finally {
    await made.backend?.then((b) => b.dispose(), () => {});
  }
}

async function runBatch(
  opts: CliOptions,
  model: ModelFiles,
  session: () => Promise<InferenceBackend>,
  plan: ConcurrencyPlan,
  files: InputFile[],
  problems: { path: string; reason: string }[],
  streams: CliStreams,
): Promise<number> {
  const reporter: Reporter = createReporter(opts.json ? 'json' : 'auto', streams);
  const started = performance.now();
  const adjustments = clampAdjustments({ ...defaultAdjustments(model.manifest), ...opts.adjustments });
  const protect = await ProtectedFiles.of(files.map((f) => f.path));
  const total = files.length + problems.length;
  const counts = { ok: 0, skipped: 0, failed: 0, aborted: 0 };
  // Files finished, in the order they finish (photos run several at once).
  let index = 0;

  reporter.start(total);
  for (const p of problems) {
    reporter.fileDone(index++, { input: p.path, status: 'failed', reason: p.reason });
    counts.failed++;
  }

  // Up to plan.jobs photos at once, each on a lane of its own: lane 0 this thread with the network
  // session above, the others worker threads (those the command started ahead, cli/prestart.ts,
  // else started when first needed).
  const lanes: PhotoLane[] = [];
  const laneFor = (i: number): PhotoLane => {
    if (lanes[i] === undefined || lanes[i].ended) {
      lanes[i] =
        i === 0
          ? inProcessLane(session, model, protect)
          : workerLane({ manifestPath: model.manifestPath, protect: files.map((f) => f.path), threads: plan.threadsPerPhoto }, { entry: PHOTO_WORKER });
    }
    return lanes[i];
  };
  const closeLanes = (): Promise<unknown> => Promise.all(lanes.map((l) => l.close()));

  // Ctrl-C once: finish the photos in progress, start no other. Twice, or SIGTERM: abort them
  // (nothing is left behind), and leave without them if they have not stopped within
  // ABORT_GRACE_MS. Once aborted, Ctrl-C or SIGTERM again: leave now.
  const current = plan.jobs > 1 ? 'the current files' : 'the current file';
  const abort = new AbortController();
  // One listener per photo in progress (a worker lane's): more than node's default of 10 is no leak.
  setMaxListeners(Math.max(10, 2 * plan.jobs), abort.signal);
  let interrupts = 0;
  let grace: ReturnType<typeof setTimeout> | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (signal === 'SIGINT') interrupts++;
    if (abort.signal.aborted) {
      leaveNow(signal);
    } else if (signal === 'SIGTERM' || interrupts === 2) {
      reporter.notice(`Aborting ${current}...`);
      reporter.stopping();
      abort.abort();
      grace = setTimeout(() => leaveNow(signal), ABORT_GRACE_MS).unref();
    } else {
      reporter.notice(`Stopping after ${current} (Ctrl-C again to abort ${plan.jobs > 1 ? 'them' : 'it'}).`);
      reporter.stopping();
    }
  };
  leaveNow = (signal) => {
    reporter.abandon();
    return endBySignal(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const claimed = new Map<string, string>();
  // Each output folder is listed once per run (for 'rename'); names this run takes are in `claimed`.
  const folderNames = new Map<string, Promise<Set<string>>>();
  const qualityUnused = new Set<ImageFormat>();
  // Each photo's header, read when it is next in line: its size decides when it may start.
  const headers = new Map<InputFile, Header>();
  let startedFiles = 0;
  try {
    startedFiles = await runPool(files, {
      plan,
      bytes: async (file) => {
        const header = await readPhotoHeader(file.path).catch((e: unknown) => (e instanceof ImageReadError ? e : new ImageReadError(oneLine(e))));
        headers.set(file, header);
        return header instanceof ImageReadError ? 0 : photoBytes(header, opts.format ?? header.format ?? 'jpeg');
      },
      mayStart: () => interrupts === 0,
      run: async (file, lane) => {
        const header = headers.get(file);
        reporter.fileStart(file.path, header && !(header instanceof ImageReadError) ? header.width * header.height : null);
        const photoLane = laneFor(lane);
        // The last photo has its lane: no other lane will be made.
        if (file === files[files.length - 1]) void stopSpareThreads();
        const rec = await processOne(file, opts, photoLane, header, adjustments, claimed, folderNames, abort.signal, (p) => reporter.progress(file.path, p));
        counts[rec.status]++;
        reporter.fileDone(index++, rec);
        // --quality without --format: said once per lossless format it did nothing for (with
        // --format, said before the batch).
        const written = FORMATS.find((f) => f.id === rec.format);
        if (opts.quality !== undefined && opts.format === undefined && written && !written.lossy && !qualityUnused.has(written.id)) {
          qualityUnused.add(written.id);
          reporter.notice(`note: --quality has no effect on ${written.label} photos, which are written lossless`);
        }
      },
    });
  } finally {
    // The photos have stopped: what is left is the summary.
    clearTimeout(grace);
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await closeLanes();
  }

  const interrupted = interrupts > 0;
  reporter.finish({
    total,
    ...counts,
    notStarted: files.length - startedFiles,
    interrupted,
    seconds: (performance.now() - started) / 1000,
  });
  if (interrupted) return EXIT_INTERRUPTED;
  return counts.failed > 0 ? EXIT_FAILED : EXIT_OK;
}

/** What a photo's header said, or why it could not be read. */
type Header = Awaited<ReturnType<typeof readPhotoHeader>> | ImageReadError;

async function processOne(
  file: InputFile,
  opts: CliOptions,
  lane: PhotoLane,
  header: Header | undefined,
  adjustments: ReturnType<typeof clampAdjustments>,
  claimed: Map<string, string>,
  folderNames: Map<string, Promise<Set<string>>>,
  signal: AbortSignal,
  onProgress: (p: Progress) => void,
): Promise<FileRecord> {
  const fromHeader: ImageFormat | undefined = header instanceof ImageReadError ? undefined : (header?.format ?? undefined);
  // What the file holds, not what its name says: a JPEG named .png is written as a JPEG, named .jpg.
  const known = opts.format ?? fromHeader ?? formatFromExtension(file.path);
  if (!known) {
    const reason = header instanceof ImageReadError ? header.reason : 'not a supported image (JPEG, PNG, WebP, AVIF or TIFF)';
    return { input: file.path, status: 'failed', reason };
  }
  // The name, as the desktop app names it (common/export-naming.ts). Taken: a file in the folder
  // or the output of another photo of this run, compared as the file system compares names (on
  // macOS and Windows `A.png` and `a.jpg` share `a-dehazed.jpg`). Under 'skip' a taken name
  // still goes to the writer, which refuses it before anything is decoded and says why: an
  // earlier output, a file Hazeless did not write, or an input. Only 'rename' needs to know
  // which names are taken, so only it lists the folder.
  const folder = outputFolderFor(file, opts.out);
  const renaming = opts.onExisting === 'rename';
  let listing = folderNames.get(folder);
  if (renaming && listing === undefined) folderNames.set(folder, (listing = namesIn(folder)));
  const inFolder = (await listing) ?? new Set<string>();
  const isTaken = (name: string): boolean => renaming && (inFolder.has(nameKey(name)) || claimed.has(nameKey(path.join(folder, name))));
  const planned = path.join(folder, outputName(path.basename(file.path), opts.suffix, known, opts.onExisting, isTaken).name);
  const key = nameKey(planned);
  const other = claimed.get(key);
  if (other !== undefined) {
    return { input: file.path, output: planned, status: 'failed', reason: `same output as ${displayPath(other)} (use --on-existing rename to keep both, or another --suffix or --format)` };
  }
  claimed.set(key, file.path);
  try {
    const r = await lane.run(
      {
        input: file.path,
        output: planned,
        format: known,
        adjustments,
        quality: opts.quality,
        maxSize: opts.maxSize,
        overwrite: opts.onExisting === 'overwrite',
      },
      signal,
      onProgress,
    );
    return {
      input: file.path,
      output: r.output,
      status: 'ok',
      width: r.width,
      height: r.height,
      format: r.format,
      bitDepth: r.bitDepth,
      timings: r.timings,
    };
  } catch (e) {
    const output = planned;
    if (e instanceof OutputExistsError) {
      const hint = renaming ? 'it appeared while this run chose its name' : 'use --overwrite to replace it, or --on-existing rename to keep both';
      return { input: file.path, output: e.output, status: 'skipped', reason: `${displayPath(e.output)} already exists (${hint})` };
    }
    if (e instanceof ForeignFileError) {
      const hint = renaming ? 'choose another --out or --suffix' : 'choose another --out or --suffix, or --on-existing rename';
      return { input: file.path, output: e.output, status: 'skipped', reason: `${displayPath(e.output)} exists and was not written by Hazeless; never replaced (${hint})` };
    }
    if (e instanceof FolderNotWritableError) {
      return { input: file.path, output, status: 'failed', reason: `cannot write to the folder ${displayPath(e.folder)}: ${e.reason}` };
    }
    if (e instanceof NameTooLongError) return { input: file.path, output: e.output, status: 'failed', reason: `${e.message}: use a shorter --suffix` };
    if (e instanceof InputCollisionError) {
      return { input: file.path, output: e.output, status: 'failed', reason: 'the output would replace the input; refused (choose another --out or --suffix)' };
    }
    if (isAbortError(e)) return { input: file.path, output, status: 'aborted' };
    if (e instanceof ImageReadError) return { input: file.path, output, status: 'failed', reason: e.reason };
    return { input: file.path, output, status: 'failed', reason: oneLine(e) };
  }
}

/** The file that stands where folder `dir`, or a folder above it, would be (null: none does). */
function fileInPlaceOf(dir: string): string | null {
  for (let p = path.resolve(dir); ; p = path.dirname(p)) {
    try {
      return statSync(p).isDirectory() ? null : p;
    } catch {
      // Not there (yet): the folder above decides.
    }
    if (path.dirname(p) === p) return null;
  }
}

function oneLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const code = (e as NodeJS.ErrnoException).code;
  const first = msg.split('\n')[0].trim();
  return code === 'EACCES' || code === 'EPERM' ? `permission denied (${first})` : first;
}
