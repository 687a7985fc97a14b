// Ships the files the renderer fetches at run time inside our own build: onnxruntime-web's
// WASM runtime (under ort/) and, in browser mode, the model (under models/). The app never
// fetches anything from another origin, so these must be real files next to index.html.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, type Plugin } from 'vite';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const ortDist = join(repoRoot, 'node_modules', 'onnxruntime-web', 'dist');
const modelsDir = join(repoRoot, 'models');

/**
 * The two onnxruntime-web runtimes engine/backend-web.ts loads: `onnxruntime-web/webgpu`'s
 * asyncify build (WebGPU and WASM) where a GPU adapter exists, `onnxruntime-web/wasm`'s plain
 * build (WASM only, half the start-up time) where none does.
 */
export const ORT_RUNTIME_FILES = [
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
] as const;

/** Every models/<id>.json with the .onnx file it names. */
function modelFiles(): string[] {
  if (!existsSync(modelsDir)) return [];
  const out: string[] = [];
  for (const name of readdirSync(modelsDir)) {
    if (!name.endsWith('.json')) continue;
    out.push(name);
    try {
      const manifest = JSON.parse(readFileSync(join(modelsDir, name), 'utf8')) as { file?: unknown };
      if (typeof manifest.file === 'string' && existsSync(join(modelsDir, manifest.file))) out.push(manifest.file);
    } catch {
      // A manifest that does not parse is reported by the engine when the app loads it.
    }
  }
  return out;
}

function contentType(name: string): string {
  if (name.endsWith('.wasm')) return 'application/wasm';
  if (name.endsWith('.mjs') || name.endsWith('.js')) return 'text/javascript';
  if (name.endsWith('.json')) return 'application/json';
  return 'application/octet-stream';
}

export interface AssetOptions {
  /** Browser mode serves the model itself; Electron gets it through the preload bridge. */
  includeModels: boolean;
}

export function hazelessAssets(options: AssetOptions): Plugin {
  const files = (): { url: string; path: string }[] => [
    ...ORT_RUNTIME_FILES.map((f) => ({ url: `ort/${f}`, path: join(ortDist, f) })),
    ...(options.includeModels ? modelFiles().map((f) => ({ url: `models/${f}`, path: join(modelsDir, f) })) : []),
  ];
  return {
    name: 'hazeless-assets',
    config() {
      // onnxruntime-web without its runtime inlined: the worker loads the ort/*.mjs and ort/*.wasm
      // copied below, instead of Vite emitting a second, hashed 27 MB copy of the .wasm.
      return { resolve: { conditions: ['onnxruntime-web-use-extern-wasm', ...defaultClientConditions] } };
    },
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const url = (req.url ?? '').split('?')[0].replace(/^\/+/, '');
        const hit = files().find((f) => f.url === url);
        if (!hit) return next();
        res.setHeader('Content-Type', contentType(hit.url));
        res.end(readFileSync(hit.path));
      });
    },
    generateBundle() {
      for (const f of files()) {
        this.emitFile({ type: 'asset', fileName: f.url, source: readFileSync(f.path) });
      }
    },
  };
}
