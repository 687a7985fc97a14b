/**
 * Backend diagnostics page: runs the network on the same small image with WebGPU and with WASM
 * and reports the largest difference. Useful when a GPU driver misbehaves; the e2e suite uses it
 * to check the two backends agree.
 */
import { startEngine } from './worker/engine-start';
import type { NetworkResult } from './worker/protocol';
import './app.css';

interface Outcome {
  backend: string;
  reason: string;
  ms: number;
  result: NetworkResult | null;
  error: string | null;
}

export interface DiagnosticsReport {
  width: number;
  height: number;
  runs: Outcome[];
  /** Max |WebGPU - WASM| over transmission and airlight, when both ran. */
  maxAbsDiff: number | null;
}

/** A deterministic test card: gradients plus a hazy band, so t varies over the image. */
export function testCard(width: number, height: number): Uint8ClampedArray {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const haze = y < height / 2 ? 0.6 : 0.15;
      data[i] = 255 * ((1 - haze) * (x / width) + haze * 0.85);
      data[i + 1] = 255 * ((1 - haze) * (y / height) + haze * 0.87);
      data[i + 2] = 255 * ((1 - haze) * (((x + y) % 17) / 17) + haze * 0.9);
      data[i + 3] = 255;
    }
  }
  return data;
}

async function runWith(backend: 'webgpu' | 'wasm', model: { manifest: unknown; onnx: Uint8Array }, width: number, height: number): Promise<Outcome> {
  const start = performance.now();
  try {
    const { client, info } = await startEngine(model, backend);
    try {
      const result = await client.call('network', { width, height, rgba: testCard(width, height) });
      return { backend: info.backend, reason: info.reason, ms: performance.now() - start, result, error: null };
    } finally {
      client.terminate();
    }
  } catch (e) {
    return { backend, reason: '', ms: performance.now() - start, result: null, error: (e as Error).message };
  }
}

function maxDiff(a: NetworkResult, b: NetworkResult): number {
  let m = 0;
  for (let i = 0; i < a.transmission.length; i++) m = Math.max(m, Math.abs(a.transmission[i] - b.transmission[i]));
  for (let i = 0; i < 3; i++) m = Math.max(m, Math.abs(a.airlight[i] - b.airlight[i]));
  return m;
}

async function loadModel(): Promise<{ manifest: unknown; onnx: Uint8Array }> {
  const manifest = (await (await fetch('./models/hazeless-v1.json')).json()) as { file: string };
  const onnx = new Uint8Array(await (await fetch(`./models/${manifest.file}`)).arrayBuffer());
  return { manifest, onnx };
}

async function main(): Promise<void> {
  const params = new URLSearchParams(location.search);
  const width = Number(params.get('width') ?? 64);
  const height = Number(params.get('height') ?? 48);
  const root = document.getElementById('app') as HTMLElement;
  root.innerHTML = '<main style="padding:24px;font-size:13px;line-height:1.6"><h1 style="font-size:18px">Backend diagnostics</h1><p id="state">Running…</p><pre id="out"></pre></main>';
  const model = await loadModel();
  // One after the other: both would compete for the same two cores.
  const webgpu = await runWith('webgpu', model, width, height);
  const wasm = await runWith('wasm', model, width, height);
  const report: DiagnosticsReport = {
    width,
    height,
    runs: [webgpu, wasm],
    maxAbsDiff: webgpu.result && wasm.result ? maxDiff(webgpu.result, wasm.result) : null,
  };
  const lines = report.runs.map((r) =>
    r.error ? `${r.backend}: failed: ${r.error}` : `${r.backend}: ${Math.round(r.ms)} ms (${r.reason}), net ${r.result?.netWidth}x${r.result?.netHeight}`,
  );
  lines.push(report.maxAbsDiff === null ? 'max |WebGPU − WASM|: not comparable' : `max |WebGPU − WASM|: ${report.maxAbsDiff.toExponential(3)}`);
  (document.getElementById('out') as HTMLElement).textContent = lines.join('\n');
  const state = document.getElementById('state') as HTMLElement;
  state.textContent = 'Done';
  state.dataset.report = JSON.stringify({
    ...report,
    runs: report.runs.map(({ result, ...rest }) => ({ ...rest, netWidth: result?.netWidth ?? null, netHeight: result?.netHeight ?? null })),
  });
}

void main();
