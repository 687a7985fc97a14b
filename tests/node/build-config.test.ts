import { execFile } from 'node:child_process';
import { createRequire } from 'node:module';
import { existsSync } from 'node:fs';
import { chmod, copyFile, mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ExportQueue } from '../../electron/export-jobs';
import type { ExportDone, ExportFileResult } from '../../common/contract';
import { ORT_RUNTIME_FILES } from '../../renderer/assets-plugin';

const ROOT = path.resolve('.');
const CONFIG = path.join(ROOT, 'build/electron-builder.yml');
const OUT = path.join(ROOT, 'out');
const built = existsSync(path.join(OUT, 'main', 'index.js')) && existsSync(path.join(OUT, 'renderer', 'index.html'));
const require = createRequire(import.meta.url);

const HARDENED_FUSES = {
  runAsNode: false,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  onlyLoadAppFromAsar: true,
  enableEmbeddedAsarIntegrityValidation: true,
  grantFileProtocolExtraPrivileges: false,
  enableCookieEncryption: true,
};

interface Target {
  target?: string;
}
type TargetList = (string | Target)[] | string;

function targetNames(t: TargetList | undefined): string[] {
  if (!t) return [];
  return (Array.isArray(t) ? t : [t]).map((x) => (typeof x === 'string' ? x : String(x.target)));
}

/** The parts of the electron-builder configuration these tests look at. */
interface BuilderConfig {
  appId: string;
  productName: string;
  files: string[];
  asarUnpack: string[];
  extraResources: { from: string; to: string; filter: string[] }[];
  npmRebuild: boolean;
  publish: unknown;
  electronFuses?: Record<string, boolean>;
  linux?: { target?: TargetList };
  mac?: { target?: TargetList };
  win?: { target?: TargetList };
}

async function loadConfig(): Promise<BuilderConfig> {
  return parse(await readFile(CONFIG, 'utf8')) as BuilderConfig;
}

describe('build/electron-builder.yml', () => {
  it('is accepted by electron-builder’s own schema', async () => {
    const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js');
    const { DebugLogger } = require('builder-util');
    const cfg = await getConfig(ROOT, CONFIG, null);
    await expect(validateConfiguration(cfg, new DebugLogger(false))).resolves.toBeUndefined();
  });

  it('names the app and builds AppImage + deb, dmg and nsis', async () => {
    const c = await loadConfig();
    expect(c.productName).toBe('Hazeless');
    expect(c.appId).toMatch(/^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
    expect(targetNames(c.linux?.target).sort()).toEqual(['AppImage', 'deb']);
    expect(targetNames(c.mac?.target)).toEqual(['dmg']);
    expect(targetNames(c.win?.target)).toEqual(['nsis']);
  });

  it('ships the built app and the model files as resources', async () => {
    const c = await loadConfig();
    expect(c.files).toContain('out/**');
    const models = c.extraResources.find((r) => r.from === 'models');
    expect(models?.to).toBe('models');
    expect(models?.filter).toEqual(expect.arrayContaining(['*.onnx', '*.json']));
    // Every manifest in models/ names an .onnx that exists, so both are packed.
    const names = await readdir(path.join(ROOT, 'models'));
    const manifests = names.filter((n) => n.endsWith('.json'));
    expect(manifests.length).toBeGreaterThan(0);
    for (const m of manifests) {
      const file = JSON.parse(await readFile(path.join(ROOT, 'models', m), 'utf8')).file as string;
      expect(names, m).toContain(file);
    }
  });

  it('unpacks the native modules from the asar archive', async () => {
    const c = await loadConfig();
    const unpack = c.asarUnpack.join('\n');
    for (const mod of ['sharp', '@img', 'onnxruntime-node']) expect(unpack).toContain(`node_modules/${mod}/`);
    expect(c.npmRebuild).toBe(false);
  });

  it('is offline: no publish target, no update feed, no remote URL anywhere', async () => {
    const c = await loadConfig();
    expect(c.publish).toBeNull();
    const text = await readFile(CONFIG, 'utf8');
    expect(text).not.toMatch(/\b(https?|ftp|wss?):\/\//i);
    const pkg = JSON.parse(await readFile(path.join(ROOT, 'package.json'), 'utf8'));
    const deps = { ...pkg.dependencies, ...pkg.devDependencies };
    expect(Object.keys(deps)).not.toContain('electron-updater');
    expect(pkg.main).toBe('out/main/index.js');
  });

  // Fuses are bits in the Electron binary, flipped when packing (before signing): with these, the
  // signed app cannot be made to run other code (ELECTRON_RUN_AS_NODE, NODE_OPTIONS, --inspect, an
  // app folder or a changed app.asar beside it) with the app's identity and permissions.
  it('turns off the Electron fuses that would run other code as the app', async () => {
    expect((await loadConfig()).electronFuses).toEqual(HARDENED_FUSES);
  });

  it('has icons generated from the SVG', async () => {
    const big = await sharp(path.join(ROOT, 'build/icon.png')).metadata();
    expect([big.width, big.height, big.format]).toEqual([1024, 1024, 'png']);
    for (const size of [16, 32, 48, 64, 128, 256, 512]) {
      const m = await sharp(path.join(ROOT, `build/icons/${size}x${size}.png`)).metadata();
      expect([m.width, m.height], String(size)).toEqual([size, size]);
    }
  });
});

describe.skipIf(!built)('electron-vite build output (out/)', () => {
  it('has main, the photo worker, a CommonJS preload needing only electron, and the renderer', async () => {
    for (const f of ['main/index.js', 'main/photo-worker.js', 'preload/index.cjs', 'renderer/index.html']) {
      expect(existsSync(path.join(OUT, f)), f).toBe(true);
    }
    const preload = await readFile(path.join(OUT, 'preload/index.cjs'), 'utf8');
    const required = [...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]);
    expect([...new Set(required)]).toEqual(['electron']);
    expect(preload).not.toMatch(/^\s*import\s/m);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('has no source maps, and no script points to one', async () => {
    const files = (await readdir(OUT, { recursive: true })) as string[];
    expect(files.filter((f) => f.endsWith('.map'))).toEqual([]);
    for (const f of files.filter((x) => /\.(c?js|mjs)$/.test(x))) {
      expect(await readFile(path.join(OUT, f), 'utf8'), f).not.toMatch(/sourceMappingURL=/);
    }
  });

  it('carries the onnxruntime-web WASM runtime inside the renderer build (no CDN)', async () => {
    for (const f of ORT_RUNTIME_FILES) {
      const builtFile = path.join(OUT, 'renderer', 'ort', f);
      const source = path.join(ROOT, 'node_modules', 'onnxruntime-web', 'dist', f);
      expect((await stat(builtFile)).size, f).toBe((await stat(source)).size);
    }
    const html = await readFile(path.join(OUT, 'renderer', 'index.html'), 'utf8');
    expect(html).not.toMatch(/(src|href)=["']?(https?:)?\/\//i);
    for (const f of await readdir(path.join(OUT, 'renderer', 'assets'))) {
      if (!f.endsWith('.js')) continue;
      expect(await readFile(path.join(OUT, 'renderer', 'assets', f), 'utf8'), f).not.toMatch(/cdn\.jsdelivr|unpkg\.com|cdnjs/);
    }
  });

  it('the bundled photo worker dehazes a photo in plain Node, as the export queue runs it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'hazeless-built-worker-'));
    try {
      const input = path.join(dir, 'cones.jpg');
      await copyFile(path.resolve('../shared/data/real/cones.jpg'), input);
      const results: ExportFileResult[] = [];
      const done = await new Promise<ExportDone>((resolve) => {
        const queue = new ExportQueue({
          workerEntry: pathToFileURL(path.join(OUT, 'main', 'photo-worker.js')),
          manifestPath: async () => path.join(ROOT, 'models', 'hazeless-v1.json'),
          events: { progress: () => {}, fileResult: (r) => results.push(r), done: resolve },
        });
        queue.start({
          items: [{ path: input, adjustments: { strength: 100, distance: 0, protect: 0, exposure: 0 } }],
          options: { format: 'png', quality: 90, maxSize: null, outFolder: path.join(dir, 'out'), suffix: '-dehazed', onExisting: 'rename' },
        });
      });
      expect(done.ok, JSON.stringify(results)).toBe(1);
      const r = results[0];
      expect(r.status === 'ok' && (await sharp(r.outPath).metadata()).width).toBe(512);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  describe('packaging', () => {
    const work: string[] = [];
    afterAll(async () => {
      for (const d of work) await rm(d, { recursive: true, force: true });
    });

    // Electron's binary cannot be downloaded here: a stand-in executable lets electron-builder
    // lay out linux-unpacked, which shows what really ends up inside the app. It carries a fuse
    // wire as Electron's binary does (the fuse sentinel, wire version 1, eight fuses in their
    // stock states), so the packed binary shows which fuses electron-builder flipped.
    it('packs out/, the model, native modules unpacked and the WASM runtime into linux-unpacked', async () => {
      const fake = await mkdtemp(path.join(tmpdir(), 'hazeless-fake-electron-'));
      const release = await mkdtemp(path.join(tmpdir(), 'hazeless-release-'));
      work.push(fake, release);
      const { SENTINEL, FuseState } = require('@electron/fuses/dist/constants');
      const { FuseV1Options, getCurrentFuseWire } = require('@electron/fuses');
      const on = FuseState.ENABLE as number;
      const off = FuseState.DISABLE as number;
      const stock = [on, off, on, on, off, off, off, on];
      await writeFile(path.join(fake, 'electron'), Buffer.concat([Buffer.from(`#!/bin/sh\n# ${SENTINEL}`), Buffer.from([1, stock.length, ...stock, 10])]));
      await chmod(path.join(fake, 'electron'), 0o755);
      await writeFile(path.join(fake, 'LICENSE'), '');
      await writeFile(path.join(fake, 'LICENSES.chromium.html'), '');
      await mkdir(path.join(fake, 'resources'));
      const cli = path.join(ROOT, 'node_modules', 'electron-builder', 'cli.js');
      await promisify(execFile)(
        process.execPath,
        [cli, '--config', CONFIG, '--dir', '--linux', '--x64', `-c.electronDist=${fake}`, `-c.directories.output=${release}`],
        { cwd: ROOT, env: { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' }, timeout: 240_000 },
      );
      const wire = await getCurrentFuseWire(path.join(release, 'linux-unpacked', 'hazeless'));
      const fuse = (name: string): number => wire[FuseV1Options[name[0].toUpperCase() + name.slice(1)]];
      for (const [name, enabled] of Object.entries(HARDENED_FUSES)) expect(fuse(name), name).toBe(enabled ? on : off);
      const res = path.join(release, 'linux-unpacked', 'resources');
      expect((await readdir(path.join(res, 'models'))).sort()).toEqual(['hazeless-v1.json', 'hazeless-v1.onnx']);
      const asar = require('@electron/asar');
      const files: string[] = asar.listPackage(path.join(res, 'app.asar'));
      for (const f of ['/out/main/index.js', '/out/main/photo-worker.js', '/out/preload/index.cjs', '/out/renderer/index.html', '/package.json']) {
        expect(files, f).toContain(f);
      }
      for (const f of ORT_RUNTIME_FILES) expect(files).toContain(`/out/renderer/ort/${f}`);
      expect(files.some((f) => f.includes('/node_modules/onnxruntime-web/'))).toBe(false);
      expect(files.some((f) => f.startsWith('/out/') && f.endsWith('.map'))).toBe(false);
      expect(files.some((f) => /onnxruntime-node\/bin\/napi-v6\/(darwin|win32)/.test(f))).toBe(false);
      const unpacked = path.join(res, 'app.asar.unpacked', 'node_modules');
      expect(existsSync(path.join(unpacked, 'onnxruntime-node', 'bin', 'napi-v6', 'linux', 'x64', 'onnxruntime_binding.node'))).toBe(true);
      expect((await readdir(path.join(unpacked, '@img'))).some((d) => d.startsWith('sharp-linux'))).toBe(true);
    });
  });
});

describe('main and renderer share only common/', () => {
  const SOURCE = /\.(ts|mts|js|mjs|svelte)$/;
  // Static imports and re-exports, side-effect imports and dynamic import().
  const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"]+)['"]/g;

  /** Every relative import in `folder`, as the repository path it points to. */
  async function importsOf(folder: string): Promise<{ file: string; target: string }[]> {
    const found: { file: string; target: string }[] = [];
    const names = await readdir(path.join(ROOT, folder), { recursive: true });
    for (const name of names) {
      const file = path.join(folder, name);
      if (!SOURCE.test(file) || file.includes('node_modules')) continue;
      const text = await readFile(path.join(ROOT, file), 'utf8');
      for (const m of text.matchAll(SPECIFIER)) {
        if (!m[1].startsWith('.')) continue;
        found.push({ file, target: path.relative(ROOT, path.resolve(ROOT, path.dirname(file), m[1])) });
      }
    }
    return found;
  }

  const into = (folder: string) => (i: { target: string }) => i.target === folder || i.target.startsWith(`${folder}${path.sep}`);

  it('Electron main and preload import nothing from the renderer', async () => {
    const imports = await importsOf('electron');
    expect(imports.some(into('common'))).toBe(true);
    expect(imports.filter(into('renderer'))).toEqual([]);
  });

  it('the renderer imports nothing from Electron main', async () => {
    const imports = await importsOf('renderer');
    expect(imports.some(into('common'))).toBe(true);
    expect(imports.filter(into('electron'))).toEqual([]);
  });

  it('common/ imports from neither side', async () => {
    const imports = await importsOf('common');
    expect(imports.filter((i) => into('electron')(i) || into('renderer')(i))).toEqual([]);
  });
});
