/**
 * End-to-end benchmark of one-photo export (`npm run bench`):
 *   node --import tsx scripts/bench.ts [--megapixels 12,24] [--photo ../shared/data/real/urbino.jpg] [--runs 2]
 *
 * For each size it makes a JPEG from a real hazy photo (upscaled with sharp, with camera EXIF and
 * an ICC profile so the metadata path is exercised), then times:
 *   - the I/O floor: sharp decoding the file to raw pixels and encoding them back as JPEG, nothing else;
 *   - dehazeFile() (what the CLI and the app's export run): decode, network, upsampling +
 *     reconstruction, encode + atomic write, end to end;
 * and reports the peak memory (maxRSS) of a process that does nothing but load the model and
 * export that photo (each size runs in its own child process, so sizes and the floor
 * measurements do not pollute each other's peak). Targets (for 24 MP): end to end <= 2.5 x
 * floor, network + full-res work < 1.5 s.
 *
 * Then the album line (--album 8 --album-megapixels 12): the command `hazeless` run on a folder of
 * that many photos as a user runs it, timed from its start to its exit, against the album's I/O floor (every photo
 * decoded and encoded by sharp, as many at once as there are cores, in a process of its own with the
 * glibc allocator settings the command starts with, and without them for comparison), with the cores it kept busy
 * (CPU time / wall time) and its peak memory. Target: the album in <= 2 x its floor; with 24 MP
 * photos on two cores, peak memory <= 1.5 GB.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command, InvalidArgumentError } from 'commander';
import sharp from 'sharp';
import { createNodeBackend } from '../engine/backend-node';
import { dehazeFile, type StageTimings } from '../node/dehaze-file';
import { jpeg } from '../common/formats/jpeg';
import { jpegOptions } from '../node/image-io';
import { findModel } from '../node/model-files';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TARGET_RATIO = 2.5;
const TARGET_COMPUTE_MS = 1500;
const TARGET_MP = 24;
const TARGET_ALBUM_RATIO = 2;
const TARGET_ALBUM_RSS_24MP_2CORES = 1.5 * 2 ** 30;

const program = new Command('bench')
  .option('--megapixels <list>', 'comma-separated photo sizes in megapixels', parseSizes, [12, 24])
  .option('--photo <file>', 'source photo (upscaled to each size)', path.join(REPO, '../shared/data/real/urbino.jpg'))
  .option('--runs <n>', 'timed runs per size (the best is reported)', (v) => Math.max(1, parseInt(v, 10) || 1), 2)
  .option('--keep', 'keep the generated photos and outputs', false)
  .option('--album <n>', 'photos in the album line (0: no album line)', (v) => Math.max(0, parseInt(v, 10) || 0), 8)
  .option('--album-megapixels <mp>', 'size of the album photos', parseSizes, [12])
  .option('--jobs <n>', 'passed to hazeless for the album line (default: automatic)')
  .option('--child <file>', '(internal) export <file> --runs times and print timings and maxRSS as JSON')
  .option('--floor-child <dir>', '(internal) time the I/O floor of the album in <dir> once and print it, in ms')
  .parse();
const opts = program.opts<{
  megapixels: number[];
  photo: string;
  runs: number;
  keep: boolean;
  album: number;
  albumMegapixels: number[];
  jobs?: string;
  child?: string;
  floorChild?: string;
}>();

function parseSizes(v: string): number[] {
  const list = v.split(',').map((s) => Number(s.trim()));
  if (list.some((n) => !Number.isFinite(n) || n <= 0 || n > 250)) throw new InvalidArgumentError('sizes must be numbers in (0, 250]');
  return list.sort((a, b) => a - b);
}

const ms = (n: number): string => `${n.toFixed(0).padStart(6)} ms`;
const mb = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MB`;

async function makePhoto(src: string, megapixels: number, dest: string): Promise<{ width: number; height: number }> {
  const meta = await sharp(src).metadata();
  const aspect = meta.width / meta.height;
  const height = Math.round(Math.sqrt((megapixels * 1e6) / aspect));
  const width = Math.round(height * aspect);
  await sharp(src)
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .withMetadata({ icc: 'srgb', exif: { IFD0: { Make: 'Bench', Model: `${megapixels} MP` } } })
    .jpeg({ quality: 92 })
    .toFile(dest);
  return { width, height };
}

async function ioFloor(file: string): Promise<{ decode: number; encode: number }> {
  let t = performance.now();
  // keepIccProfile: no colour conversion, as in our own decode (the floor does no more than we do).
  const { data, info } = await sharp(file).keepIccProfile().raw().toBuffer({ resolveWithObject: true });
  const decode = performance.now() - t;
  t = performance.now();
  await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
    // Encoded as our exports are.
    .jpeg(jpegOptions(jpeg.defaultQuality))
    .toBuffer();
  return { decode, encode: performance.now() - t };
}

/** Child process: load the model, export `file` `runs` times, report the best run and the peak RSS. */
async function child(file: string): Promise<void> {
  const model = await findModel();
  const backend = await createNodeBackend(model.onnxPath, model.manifest);
  const output = file.replace(/\.jpg$/, '-dehazed.jpg');
  let best: StageTimings | null = null;
  let engine: Record<string, number> = {};
  // The first run includes warm-up (JIT, onnxruntime's first inference); the best is what a
  // steady batch sees.
  for (let run = 0; run < opts.runs; run++) {
    const r = await dehazeFile({ input: file, output, backend, manifest: model.manifest, overwrite: true });
    if (!best || r.timings.total < best.total) {
      best = r.timings;
      engine = r.engineTimings;
    }
  }
  await backend.dispose();
  process.stdout.write(JSON.stringify({ timings: best, engine, maxRSS: process.resourceUsage().maxRSS * 1024 }));
}

/** Sharp alone on the album: every photo decoded and encoded, `atOnce` photos at a time. */
async function albumFloor(files: string[], atOnce: number): Promise<number> {
  const t = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: atOnce }, async () => {
      while (next < files.length) await ioFloor(files[next++]);
    }),
  );
  return performance.now() - t;
}

/**
 * The command as an installed one runs: the file itself, through its first line (Windows runs
 * files through node, as npm's shim does there).
 */
function hazelessCommand(): string[] {
  const bin = path.join(REPO, 'bin/hazeless.js');
  return process.platform === 'win32' ? [process.execPath, bin] : [bin];
}

/**
 * The variables the command's first line sets for glibc's allocator (bin/hazeless.js): the floor
 * is timed with them too, so that the ratio compares like with like.
 */
function allocatorEnv(): Record<string, string> {
  const first = fs.readFileSync(path.join(REPO, 'bin/hazeless.js'), 'utf8').split('\n', 1)[0];
  return Object.fromEntries([...first.matchAll(/\b(MALLOC_\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
}

/**
 * The album's I/O floor, the best of --runs, each in a process of its own (with `env` added): a
 * fresh process, as the command is, whose memory is not yet in place (with the allocator
 * settings, a second pass in the same process would find it there).
 */
function albumFloorIn(dir: string, env: Record<string, string>): number {
  let best = Infinity;
  for (let run = 0; run < opts.runs; run++) {
    const out = execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--floor-child', dir], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    best = Math.min(best, Number(out));
  }
  return best;
}

/** Child process: the I/O floor of the album in `dir` (its photos decoded and encoded as many at once as there are cores), in ms. */
async function floorChild(dir: string): Promise<void> {
  const files = fs.readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().map((f) => path.join(dir, f));
  process.stdout.write(String(await albumFloor(files, os.availableParallelism())));
}

/**
 * The `hazeless` command on `dir`, as a user runs it: wall time from its start to its exit (node's
 * own start, module loading, model and threads included), its CPU time and peak memory
 * (scripts/bench-exit-stats.cjs), and the photos it wrote.
 */
function albumRun(dir: string): { wall: number; cpu: number; maxRSS: number; written: number } {
  const out = path.join(dir, 'out');
  const statsFile = path.join(dir, '..', 'album-stats.json');
  const t = performance.now();
  const args = [dir, '-o', out, '--json', ...(opts.jobs ? ['--jobs', opts.jobs] : [])];
  // The stats come from a module node loads into the command.
  const loadStats = `--require ${JSON.stringify(path.join(REPO, 'scripts/bench-exit-stats.cjs'))}`;
  const env = { ...process.env, HAZELESS_BENCH_STATS: statsFile, NODE_OPTIONS: [process.env.NODE_OPTIONS, loadStats].filter(Boolean).join(' ') };
  try {
    // Its report (stderr) is shown only if it fails.
    const [file, ...pre] = hazelessCommand();
    execFileSync(file, [...pre, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env });
  } catch (e) {
    throw new Error(`hazeless failed on the album: ${String((e as { stderr?: Buffer }).stderr ?? e)}`);
  }
  const wall = performance.now() - t;
  const stats = JSON.parse(fs.readFileSync(statsFile, 'utf8')) as { cpu: number; maxRSS: number };
  const written = fs.readdirSync(out).length;
  fs.rmSync(out, { recursive: true, force: true });
  return { wall, ...stats, written };
}

/** The album line: photos, floor, time, ratio, cores used, peak memory. Returns whether the targets are met. */
async function albumLine(work: string, megapixels: number): Promise<boolean> {
  const cores = os.availableParallelism();
  const dir = path.join(work, `album-${megapixels}mp`);
  fs.mkdirSync(dir);
  const first = path.join(dir, 'photo-01.jpg');
  const { width, height } = await makePhoto(opts.photo, megapixels, first);
  const files = [first];
  for (let i = 2; i <= opts.album; i++) {
    const f = path.join(dir, `photo-${String(i).padStart(2, '0')}.jpg`);
    fs.copyFileSync(first, f);
    files.push(f);
  }
  // The command compiles itself on its first run after a change (bin/compiled-cli.mjs): not timed.
  const [file, ...pre] = hazelessCommand();
  execFileSync(file, [...pre, '--version'], { stdio: 'ignore' });
  const plainFloor = albumFloorIn(dir, {});
  const floor = albumFloorIn(dir, allocatorEnv());
  let best: ReturnType<typeof albumRun> | null = null;
  for (let run = 0; run < opts.runs; run++) {
    const r = albumRun(dir);
    if (r.written !== files.length) throw new Error(`hazeless wrote ${r.written} of ${files.length} photos`);
    if (!best || r.wall < best.wall) best = r;
  }
  if (!best) return false;
  const ratio = best.wall / floor;
  console.log(`album: ${files.length} x ${megapixels} MP (${width}x${height}) JPEG, hazeless ${opts.jobs ? `--jobs ${opts.jobs}` : '(automatic jobs)'}`);
  console.log(`  I/O floor (sharp, ${cores} at once)  ${ms(floor)}  (with the command's allocator settings; ${ms(plainFloor).trim()} without)`);
  console.log(`  hazeless, whole album      ${ms(best.wall)}  (the command from its start to its exit)`);
  console.log(`  album / floor              ${ratio.toFixed(2).padStart(9)}  (${(best.wall / plainFloor).toFixed(2)} against the floor without them)`);
  console.log(`  cores used (CPU / wall)    ${(best.cpu / best.wall).toFixed(2).padStart(9)} of ${cores}`);
  console.log(`  peak memory (maxRSS)       ${mb(best.maxRSS).padStart(9)}`);
  let ok = ratio <= TARGET_ALBUM_RATIO;
  console.log(`  target album <= ${TARGET_ALBUM_RATIO} x floor: ${ok ? 'met' : 'NOT met'} (${ratio.toFixed(2)})`);
  if (megapixels === TARGET_MP && cores === 2) {
    const okRss = best.maxRSS <= TARGET_ALBUM_RSS_24MP_2CORES;
    ok &&= okRss;
    console.log(`  target peak memory <= ${mb(TARGET_ALBUM_RSS_24MP_2CORES)} (24 MP, 2 cores): ${okRss ? 'met' : 'NOT met'} (${mb(best.maxRSS)})`);
  }
  console.log('');
  return ok;
}

async function main(): Promise<void> {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'hazeless-bench-'));
  const model = await findModel();
  const backend = await createNodeBackend(model.onnxPath, model.manifest);
  await backend.dispose(); // only for the banner; each size runs in a child process
  const cpu = os.cpus()[0]?.model ?? 'unknown CPU';
  console.log(`Hazeless bench: ${os.availableParallelism()} cores (${cpu}), load ${os.loadavg()[0].toFixed(1)}, node ${process.version}`);
  console.log(`model ${model.manifest.id} (maxSide ${model.manifest.input.maxSide}), ${backend.reason}, sharp concurrency ${sharp.concurrency()}, best of ${opts.runs}\n`);

  let verdict = true;
  let albumVerdict = true;
  try {
    for (const mp of opts.megapixels) {
      const input = path.join(work, `bench-${mp}mp.jpg`);
      const { width, height } = await makePhoto(opts.photo, mp, input);

      let floor = { decode: Infinity, encode: Infinity };
      for (let run = 0; run < opts.runs; run++) {
        const f = await ioFloor(input);
        if (f.decode + f.encode < floor.decode + floor.encode) floor = f;
      }
      const child = JSON.parse(
        execFileSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child', input, '--runs', String(opts.runs)], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'inherit'],
        }),
      ) as { timings: StageTimings; engine: Record<string, number>; maxRSS: number };
      const t = child.timings;
      const floorMs = floor.decode + floor.encode;
      const ratio = t.total / floorMs;
      const compute = t.network + t.reconstruction;
      const rss = child.maxRSS;

      console.log(`${mp} MP (${width}x${height}) JPEG`);
      console.log(`  decode                     ${ms(t.decode)}`);
      console.log(`  network (estimate)         ${ms(t.network)}  (${Object.entries(child.engine).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')})`);
      console.log(`  upsampling+reconstruction  ${ms(t.reconstruction)}`);
      console.log(`  encode + write             ${ms(t.encode)}`);
      console.log(`  end to end                 ${ms(t.total)}`);
      console.log(`  I/O floor (sharp only)     ${ms(floorMs)}  (decode ${floor.decode.toFixed(0)} + encode ${floor.encode.toFixed(0)})`);
      console.log(`  end to end / floor         ${ratio.toFixed(2).padStart(9)}`);
      console.log(`  peak memory (maxRSS)       ${mb(rss).padStart(9)}  (${(rss / (width * height)).toFixed(1)} bytes/pixel)`);
      if (mp === TARGET_MP) {
        const okRatio = ratio <= TARGET_RATIO;
        const okCompute = compute < TARGET_COMPUTE_MS;
        verdict = okRatio && okCompute;
        console.log(`  target end to end <= ${TARGET_RATIO} x floor: ${okRatio ? 'met' : 'NOT met'} (${ratio.toFixed(2)})`);
        console.log(`  target network + full-res < ${TARGET_COMPUTE_MS} ms: ${okCompute ? 'met' : 'NOT met'} (${compute.toFixed(0)} ms)`);
      }
      console.log('');
      if (!opts.keep) fs.rmSync(input, { force: true });
    }
    if (opts.album > 0) {
      console.log(`load before the album line: ${os.loadavg()[0].toFixed(1)}`);
      for (const mp of opts.albumMegapixels) albumVerdict = (await albumLine(work, mp)) && albumVerdict;
    }
  } finally {
    if (!opts.keep) fs.rmSync(work, { recursive: true, force: true });
    else console.log(`files kept in ${work}`);
  }
  if (!opts.megapixels.includes(TARGET_MP)) console.log(`(targets are checked at ${TARGET_MP} MP)`);
  else console.log(verdict && albumVerdict ? 'All targets met.' : 'Some targets NOT met.');
}

await (opts.floorChild ? floorChild(opts.floorChild) : opts.child ? child(opts.child) : main());
