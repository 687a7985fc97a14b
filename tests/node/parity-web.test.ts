/**
 * The onnxruntime-web backend (engine/backend-web.ts) gives the same network outputs as
 * onnxruntime-node: in Node (WASM), and in Chromium with WASM forced, WebGPU forced (SwiftShader
 * adapter) and the automatic choice when no adapter exists (it must fall back to WASM and say so).
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser } from '@playwright/test';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeBackend } from '../../engine/backend-node';
import { createWebBackend } from '../../engine/backend-web';
import { estimateHaze, renderDehazed, type ImageBuffer, type NetworkOutputs } from '../../engine/index';
import { ROOT, mulberry32, realManifest, syntheticHazyImage } from '../unit/engine-fixtures';

const MODEL = path.join(ROOT, 'models/hazeless-v1.onnx');
const ORT_DIST = path.join(ROOT, 'node_modules/onnxruntime-web/dist');
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const H = 48;
const W = 64;
const manifest = realManifest();

function netInput(): Float32Array {
  const rnd = mulberry32(5);
  const x = new Float32Array(3 * H * W);
  for (let i = 0; i < x.length; i++) x[i] = Math.min(1, 0.4 + 0.4 * Math.sin(i / 97) + 0.2 * rnd());
  return x;
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

let reference: NetworkOutputs;

beforeAll(async () => {
  const node = await createNodeBackend(MODEL, manifest, { intraOpNumThreads: 2 });
  reference = await node.run(netInput(), H, W);
  await node.dispose();
});

describe('onnxruntime-web in Node', () => {
  it('WASM equals onnxruntime-node, and the whole engine renders the same photo', async () => {
    const web = await createWebBackend(new Uint8Array(readFileSync(MODEL)), manifest, {});
    try {
      expect(web.name).toBe('wasm');
      expect(web.reason).toMatch(/WebGPU: .* -> WASM/);
      const out = await web.run(netInput(), H, W);
      expect(maxAbsDiff(out.transmission, reference.transmission)).toBeLessThanOrEqual(1e-4);
      expect(maxAbsDiff(out.airlight, reference.airlight)).toBeLessThanOrEqual(1e-4);

      const image: ImageBuffer = syntheticHazyImage(300, 200, 3);
      const node = await createNodeBackend(MODEL, manifest, { intraOpNumThreads: 2 });
      const adj = { strength: 100, distance: 20, protect: 40, exposure: 10 };
      const a = await renderDehazed(image, await estimateHaze(web, manifest, image), manifest, adj);
      const b = await renderDehazed(image, await estimateHaze(node, manifest, image), manifest, adj);
      await node.dispose();
      expect(maxAbsDiff(a.data, b.data)).toBeLessThanOrEqual(1);
    } finally {
      await web.dispose();
    }
  });
});

describe('onnxruntime-web in Chromium', () => {
  let server: Server;
  let origin: string;
  let harness: string;
  const browsers: Browser[] = [];

  beforeAll(async () => {
    const bundle = await build({
      stdin: {
        contents: `
          import { createWebBackend } from './engine/backend-web.ts';
          import { parseManifest } from './engine/manifest.ts';
          (globalThis as any).runBackend = async (force: 'webgpu' | 'wasm' | undefined, input: number[], h: number, w: number) => {
            const manifest = parseManifest(await (await fetch('/manifest.json')).json());
            const model = new Uint8Array(await (await fetch('/model.onnx')).arrayBuffer());
            const backend = await createWebBackend(model, manifest, { wasmPaths: '/ort/', force });
            try {
              const out = await backend.run(Float32Array.from(input), h, w);
              return { name: backend.name, reason: backend.reason, t: Array.from(out.transmission), a: Array.from(out.airlight) };
            } finally {
              await backend.dispose();
            }
          };`,
        resolveDir: ROOT,
        loader: 'ts',
      },
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      logLevel: 'silent',
    });
    harness = bundle.outputFiles[0].text;
    server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const send = (type: string, body: string | Buffer): void => {
        res.writeHead(200, { 'content-type': type, 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' });
        res.end(body);
      };
      if (url.pathname === '/') send('text/html', '<!doctype html><script type="module" src="/harness.js"></script>');
      else if (url.pathname === '/harness.js') send('text/javascript', harness);
      else if (url.pathname === '/model.onnx') send('application/octet-stream', readFileSync(MODEL));
      else if (url.pathname === '/manifest.json') send('application/json', readFileSync(path.join(ROOT, 'models/hazeless-v1.json')));
      else if (url.pathname.startsWith('/ort/') && /^[\w.-]+$/.test(url.pathname.slice(5))) {
        const file = path.join(ORT_DIST, url.pathname.slice(5));
        send(file.endsWith('.wasm') ? 'application/wasm' : 'text/javascript', readFileSync(file));
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const b of browsers) await b.close();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
  });

  async function runIn(extraArgs: string[], force: 'webgpu' | 'wasm' | undefined): Promise<{ name: string; reason: string; t: number[]; a: number[] }> {
    const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: [...CHROMIUM_ARGS, ...extraArgs] });
    browsers.push(browser);
    const page = await browser.newPage();
    await page.goto(origin);
    await page.waitForFunction(() => typeof (globalThis as { runBackend?: unknown }).runBackend === 'function');
    return page.evaluate(
      ([f, input, h, w]) => (globalThis as any).runBackend(f, input, h, w),
      [force, Array.from(netInput()), H, W] as const,
    );
  }

  it('WASM forced: equals onnxruntime-node', async () => {
    const r = await runIn([], 'wasm');
    expect(r.name).toBe('wasm');
    expect(r.reason).toMatch(/forced/);
    expect(maxAbsDiff(r.t, reference.transmission)).toBeLessThanOrEqual(1e-4);
    expect(maxAbsDiff(r.a, reference.airlight)).toBeLessThanOrEqual(1e-4);
  });

  it('automatic choice without a WebGPU adapter falls back to WASM and says why', async () => {
    const r = await runIn(['--disable-gpu', '--disable-features=WebGPU'], undefined);
    console.info(`fallback reason: ${r.reason}`);
    expect(r.name).toBe('wasm');
    expect(r.reason).toMatch(/^WebGPU: .*-> WASM$/);
    expect(maxAbsDiff(r.t, reference.transmission)).toBeLessThanOrEqual(1e-4);
  });

  it('WebGPU forced (SwiftShader adapter): equals onnxruntime-node', async () => {
    const r = await runIn(['--enable-unsafe-webgpu'], 'webgpu');
    expect(r.name).toBe('webgpu');
    expect(maxAbsDiff(r.t, reference.transmission)).toBeLessThanOrEqual(1e-3);
    expect(maxAbsDiff(r.a, reference.airlight)).toBeLessThanOrEqual(1e-3);
  });
});
