// @ts-check
/**
 * The command line compiled: cli/run.ts (the command) and node/photo-worker.ts (its photo
 * threads) bundled by esbuild with their JavaScript dependencies into
 * node_modules/.cache/hazeless-cli/, and built again whenever a file they were built from has
 * changed. Through tsx every thread looks up, reads and compiles each of some 60 modules on its
 * own before its first photo (tsx's cache spares only the transform): compiled, the command starts
 * in 0.12 s instead of 0.22 and an album of 8 x 12 MP takes 0.15 s less (docs/performance.md).
 *
 * Each build goes into a folder of its own, and a manifest names the current one with what it
 * was built from (path, modification time and size of each file); a run compares them with the
 * files (well under a millisecond) and builds again if any differs. Two commands that build at
 * once each write a whole folder, and the manifest is replaced in one rename. Where the cache
 * cannot be written (a checkout the user may not write into) or esbuild fails, compiledCli
 * returns null and bin/hazeless.js runs the sources through tsx, as before.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
/** Where builds are kept: HAZELESS_CLI_CACHE, else node_modules/.cache/hazeless-cli of this checkout. */
export const CACHE_DIR = process.env.HAZELESS_CLI_CACHE || path.join(REPO, 'node_modules', '.cache', 'hazeless-cli');
const MANIFEST = 'manifest.json';
/** Builds no manifest names are removed once this old: a command still running from one may start a photo thread from it. */
const KEEP_OLD_BUILDS_MS = 60 * 60 * 1000;

/**
 * @typedef {{ repo: string, dir: string, inputs: [string, number, number][] }} Manifest
 *   dir: the build's folder in the cache; inputs: [path from the repository, mtimeMs, size] of
 *   every file it was built from, this one included.
 */

/**
 * The compiled command's entry module (its path; it exports `run(argv)`), built first if there is none or it is
 * stale; null where it cannot be built.
 * @param {string} [cacheDir]
 * @returns {Promise<{ entry: string, built: boolean } | null>}
 */
export async function compiledCli(cacheDir = CACHE_DIR) {
  const current = readManifest(cacheDir);
  if (current !== null && isFresh(current) && fs.existsSync(entryOf(cacheDir, current))) return { entry: entryOf(cacheDir, current), built: false };
  try {
    return { entry: entryOf(cacheDir, await build(cacheDir)), built: true };
  } catch {
    return null;
  }
}

/** @param {string} cacheDir @param {Manifest} m */
function entryOf(cacheDir, m) {
  return path.join(cacheDir, m.dir, 'run.cjs');
}

/** @param {string} cacheDir @returns {Manifest | null} */
function readManifest(cacheDir) {
  try {
    return JSON.parse(fs.readFileSync(path.join(cacheDir, MANIFEST), 'utf8'));
  } catch {
    return null;
  }
}

/** @param {Manifest} m */
function isFresh(m) {
  if (m.repo !== REPO || !Array.isArray(m.inputs)) return false;
  for (const [file, mtimeMs, size] of m.inputs) {
    const st = fs.statSync(path.join(REPO, file), { throwIfNoEntry: false });
    if (st === undefined || st.mtimeMs !== mtimeMs || st.size !== size) return false;
  }
  return true;
}

/**
 * `import.meta.url` in the command's own sources, as the URL of the source file itself: they find
 * package.json and models/ from where they are, not from the cache.
 * @type {import('esbuild').Plugin}
 */
const sourceLocations = {
  name: 'source-locations',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, async (args) => {
      if (args.path.split(path.sep).includes('node_modules')) return undefined;
      const text = await fs.promises.readFile(args.path, 'utf8');
      return { contents: text.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)), loader: 'ts' };
    });
  },
};

/**
 * The addons' entry files the build named: an update that moves them means a new build.
 * @type {Set<string>}
 */
const addonEntries = new Set();

/**
 * The native addons (sharp, onnxruntime-node) stay outside the bundle and are loaded from this
 * checkout's node_modules, by their full path: the cache may be elsewhere.
 * @type {import('esbuild').Plugin}
 */
const nativeAddons = {
  name: 'native-addons',
  setup(b) {
    const fromRepo = createRequire(path.join(REPO, 'package.json'));
    b.onResolve({ filter: /^(sharp|onnxruntime-node)$/ }, (args) => {
      const entry = fromRepo.resolve(args.path);
      addonEntries.add(entry);
      return { path: entry, external: true };
    });
  },
};

/** @param {string} cacheDir @returns {Promise<Manifest>} */
async function build(cacheDir) {
  const esbuild = await import('esbuild');
  fs.mkdirSync(cacheDir, { recursive: true });
  const out = fs.mkdtempSync(path.join(cacheDir, 'build-'));
  // mkdtemp makes it private: other users of this checkout run the same build.
  fs.chmodSync(out, 0o755);
  const started = Date.now();
  const result = await esbuild.build({
    absWorkingDir: REPO,
    entryPoints: { run: 'cli/run.ts', 'photo-worker': 'node/photo-worker.ts' },
    bundle: true,
    // CommonJS: `import('./main')` in cli/run.ts becomes a module initialised on demand in the
    // same bundle, so the photo threads start before sharp and onnxruntime load, and the modules
    // both halves use (the threads started ahead, node/photo-threads.ts) exist once. (ES modules
    // with code splitting would do the same, but load more slowly, in every thread.)
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    outdir: out,
    outExtension: { '.js': '.cjs' },
    define: { HAZELESS_COMPILED_PHOTO_WORKER: JSON.stringify(pathToFileURL(path.join(out, 'photo-worker.cjs')).href) },
    plugins: [sourceLocations, nativeAddons],
    metafile: true,
    logLevel: 'silent',
  });
  const files = [...Object.keys(result.metafile.inputs), ...[...addonEntries].map((f) => path.relative(REPO, f)), path.relative(REPO, SELF)];
  /** @type {Manifest} */
  const manifest = {
    repo: REPO,
    dir: path.basename(out),
    // A file changed while it was being built is recorded as never seen: the next run builds again.
    inputs: files.map((file) => {
      const st = fs.statSync(path.join(REPO, file));
      return st.mtimeMs >= started - 1000 ? [file, -1, -1] : [file, st.mtimeMs, st.size];
    }),
  };
  const tmp = path.join(out, MANIFEST);
  fs.writeFileSync(tmp, JSON.stringify(manifest));
  fs.renameSync(tmp, path.join(cacheDir, MANIFEST));
  removeOldBuilds(cacheDir, manifest.dir);
  return manifest;
}

/** @param {string} cacheDir @param {string} current */
function removeOldBuilds(cacheDir, current) {
  for (const name of fs.readdirSync(cacheDir)) {
    if (!name.startsWith('build-') || name === current) continue;
    const dir = path.join(cacheDir, name);
    const st = fs.statSync(dir, { throwIfNoEntry: false });
    if (st !== undefined && Date.now() - st.mtimeMs > KEEP_OLD_BUILDS_MS) fs.rmSync(dir, { recursive: true, force: true });
  }
}
