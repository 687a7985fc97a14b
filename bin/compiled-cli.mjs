// @ts-check
/**
 * The command line compiled: cli/run.ts (the command) and node/photo-worker.ts (its photo
 * threads) bundled by esbuild with their JavaScript dependencies into
 * node_modules/.cache/hazeless-cli/ (or HAZELESS_CLI_CACHE), and built again whenever a file they
 * were built from has changed. Through tsx every thread looks up, reads and compiles each of
 * some 60 modules on its own before its first photo (tsx's cache spares only the transform):
 * compiled, the command starts in 0.12 s instead of 0.22 (docs/performance.md).
 *
 * Each build goes into a folder of its own, and a manifest per checkout names its current build
 * and what it was built from (path, modification time and size of each file); a run compares
 * them with the files (a millisecond or two) and builds again if any differs. Two commands that
 * build at once each write a whole folder, and the manifest is replaced in one rename. Each run
 * touches its build's mark; a build no manifest names is removed once nothing has run from it for
 * a week (a batch that long, from a build its checkout has since replaced, is not expected), and
 * only folders a build marked as its own. Where the cache cannot be written (a checkout the user
 * may not write into) or esbuild fails, compiledCli returns null and bin/hazeless.js runs the
 * sources through tsx.
 */
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const REPO = fileURLToPath(new URL('..', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
/** Where builds are kept: HAZELESS_CLI_CACHE (from the current folder, if relative), else node_modules/.cache/hazeless-cli of this checkout. */
export const CACHE_DIR = path.resolve(process.env.HAZELESS_CLI_CACHE || path.join(REPO, 'node_modules', '.cache', 'hazeless-cli'));
/** Each checkout its own manifest: checkouts that share a cache (worktrees with one node_modules) do not take turns building. */
const MANIFEST = `manifest-${hashOf(REPO)}.json`;
/** A build's folder: this prefix, and in it the file MARK, touched by every run from it. Nothing else in the cache is removed. */
const BUILD_PREFIX = 'hazeless-cli-build-';
const MARK = 'hazeless-cli-build';
/** What a build must hold to be run. */
const OUTPUTS = ['run.cjs', 'photo-worker.cjs'];
/** Files the build reads that esbuild does not list among its inputs. */
const BUILD_CONFIG = ['tsconfig.json', 'tsconfig.base.json', 'package.json'];
/** A build no manifest names is removed once nothing has run from it for this long. */
const UNUSED_MS = 7 * 24 * 3600 * 1000;
/** Files whose modification time is this close to a build (or during it) may have changed while it read them: recorded as unseen (FAT keeps times in 2 s steps). */
const MTIME_MARGIN_MS = 2000;

/**
 * @typedef {{ repo: string, dir: string, inputs: [string, number, number][] }} Manifest
 *   dir: the build's folder in the cache; inputs: [path from the repository, mtimeMs, size] of
 *   every file it was built from, this one included.
 */

/**
 * The compiled command's entry module (its path; it exports `run(argv)`), built first if there is
 * none or it is stale; null where it cannot be built.
 * @param {string} [cacheDir]
 * @returns {Promise<{ entry: string, built: boolean } | null>}
 */
export async function compiledCli(cacheDir = CACHE_DIR) {
  const current = readManifest(cacheDir);
  if (current !== null && isUsable(cacheDir, current)) {
    touch(path.join(cacheDir, current.dir, MARK));
    return { entry: path.join(cacheDir, current.dir, OUTPUTS[0]), built: false };
  }
  let built;
  try {
    built = await build(cacheDir);
  } catch {
    return null;
  }
  try {
    removeUnusedBuilds(cacheDir);
  } catch {
    // Another command cleaning up at the same moment, a folder of another user's: next time.
  }
  return { entry: path.join(cacheDir, built.dir, OUTPUTS[0]), built: true };
}

/** Marks a build as just used (its mark's modification time), where this user may. @param {string} file */
function touch(file) {
  try {
    const now = new Date();
    fs.utimesSync(file, now, now);
  } catch {
    // Another user's build, a read-only cache: its own runs keep it.
  }
}

/** FNV-1a of a string, in hex: a short name for a checkout's path. @param {string} text */
function hashOf(text) {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(16).padStart(8, '0');
}

/** @param {string} cacheDir @param {string} [name] @returns {Manifest | null} */
function readManifest(cacheDir, name = MANIFEST) {
  try {
    return JSON.parse(fs.readFileSync(path.join(cacheDir, name), 'utf8'));
  } catch {
    return null;
  }
}

/**
 * Whether the build `m` names is whole and was built from the files as they are now (a manifest
 * of another shape, from another version, is not).
 * @param {string} cacheDir @param {Manifest} m
 */
function isUsable(cacheDir, m) {
  try {
    if (m.repo !== REPO || !m.dir.startsWith(BUILD_PREFIX)) return false;
    if (!OUTPUTS.every((f) => fs.existsSync(path.join(cacheDir, m.dir, f)))) return false;
    for (const [file, mtimeMs, size] of m.inputs) {
      const st = fs.statSync(path.join(REPO, file), { throwIfNoEntry: false });
      if (st === undefined || st.mtimeMs !== mtimeMs || st.size !== size) return false;
    }
    return true;
  } catch {
    return false;
  }
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
  const out = fs.mkdtempSync(path.join(cacheDir, BUILD_PREFIX));
  let named = false;
  try {
    // mkdtemp makes it private: other users of this checkout run the same build.
    fs.chmodSync(out, 0o755);
    fs.writeFileSync(path.join(out, MARK), '');
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
      // The photo thread's module, found beside the bundle wherever the cache is. The banner
      // comes first in the file: it says "use strict" itself, or the bundle would not be strict.
      define: { HAZELESS_COMPILED_PHOTO_WORKER: 'hazelessPhotoWorker' },
      banner: { js: `'use strict'; var hazelessPhotoWorker = require('node:url').pathToFileURL(require('node:path').join(__dirname, ${JSON.stringify(OUTPUTS[1])})).href;` },
      plugins: [sourceLocations, nativeAddons],
      metafile: true,
      logLevel: 'silent',
    });
    const files = [
      ...Object.keys(result.metafile.inputs),
      ...[...addonEntries].map((f) => path.relative(REPO, f)),
      ...BUILD_CONFIG.filter((f) => fs.existsSync(path.join(REPO, f))),
      path.relative(REPO, SELF),
    ];
    const stats = files.map((file) => /** @type {const} */ ([file, fs.statSync(path.join(REPO, file))]));
    const now = Date.now();
    /** @type {Manifest} */
    const manifest = {
      repo: REPO,
      dir: path.basename(out),
      // Changed while it was being built or stat'ed, perhaps: recorded as never seen, so the next run builds again.
      inputs: stats.map(([file, st]) =>
        st.mtimeMs >= started - MTIME_MARGIN_MS && st.mtimeMs <= now + MTIME_MARGIN_MS ? [file, -1, -1] : [file, st.mtimeMs, st.size],
      ),
    };
    const tmp = path.join(out, 'manifest.json');
    fs.writeFileSync(tmp, JSON.stringify(manifest));
    fs.renameSync(tmp, path.join(cacheDir, MANIFEST));
    named = true;
    return manifest;
  } catch (e) {
    if (!named) fs.rmSync(out, { recursive: true, force: true });
    throw e;
  }
}

/**
 * Removes the builds no manifest names (of a checkout that is still there) and nothing has run
 * from for UNUSED_MS, with the manifests of checkouts that are gone. Each folder on its own: one
 * another command is removing at the same moment, or another user's, is left for next time.
 * @param {string} cacheDir
 */
function removeUnusedBuilds(cacheDir) {
  const entries = fs.readdirSync(cacheDir);
  const old = (/** @type {string} */ file) => {
    const st = fs.statSync(file, { throwIfNoEntry: false });
    return st !== undefined && Date.now() - st.mtimeMs > UNUSED_MS;
  };
  const named = new Set();
  for (const name of entries.filter((n) => /^manifest-[0-9a-f]+\.json$/.test(n))) {
    const m = readManifest(cacheDir, name);
    const gone = m === null || typeof m.repo !== 'string' || !fs.existsSync(path.join(m.repo, 'bin', 'compiled-cli.mjs'));
    if (!gone) named.add(m.dir);
    else if (old(path.join(cacheDir, name))) attempt(() => fs.rmSync(path.join(cacheDir, name), { force: true }));
  }
  for (const name of entries) {
    const dir = path.join(cacheDir, name);
    const mark = path.join(dir, MARK);
    if (!name.startsWith(BUILD_PREFIX) || named.has(name) || !fs.existsSync(mark)) continue;
    if (old(mark)) attempt(() => fs.rmSync(dir, { recursive: true, force: true }));
  }
}

/** @param {() => void} f */
function attempt(f) {
  try {
    f();
  } catch {
    // Left for next time.
  }
}
