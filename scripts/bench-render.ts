/**
 * Slider-redraw micro-benchmark (not a test): renderDehazedSync on a ~2 MP RGBA proxy of a real
 * photo, as the renderer's worker does on every slider move, for several slider settings, and
 * one full-size render in place, as an export does.
 *   node --import tsx scripts/bench-render.ts [--photo ../shared/data/real/urbino.jpg] [--runs 9]
 * Prints CPU time per render (min and median; CPU time is steadier than wall time on a shared
 * machine). All settings run in one process, like a user moving one slider after another.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Command } from 'commander';
import sharp from 'sharp';
import { createNodeBackend } from '../engine/backend-node';
import { defaultAdjustments } from '../engine/adjustments';
import { estimateHaze } from '../engine/estimate';
import { renderDehazed, renderDehazedSync } from '../engine/render';
import type { Adjustments, ImageBuffer } from '../engine/types';
import { findModel } from '../node/model-files';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const opts = new Command('bench-render')
  .option('--photo <file>', 'source photo', path.join(REPO, '../shared/data/real/urbino.jpg'))
  .option('--runs <n>', 'timed renders per setting', (v) => Math.max(1, parseInt(v, 10) || 1), 9)
  .option('--full-megapixels <n>', 'size of the in-place export render', (v) => Number(v), 24)
  .option('--only <n>', 'run only the n-th slider setting (1-based): no other setting has shaped V8\'s code', (v) => parseInt(v, 10))
  .parse()
  .opts<{ photo: string; runs: number; fullMegapixels: number; only?: number }>();

const SETTINGS: [string, Adjustments][] = [
  ['strength 100', { strength: 100, distance: 0, protect: 0, exposure: 0 }],
  ['strength 60', { strength: 60, distance: 0, protect: 0, exposure: 0 }],
  ['+ distance 40', { strength: 100, distance: 40, protect: 0, exposure: 0 }],
  ['+ protect 50', { strength: 100, distance: 0, protect: 50, exposure: 0 }],
  ['+ exposure 40', { strength: 100, distance: 0, protect: 0, exposure: 40 }],
  ['all four moved', { strength: 80, distance: 30, protect: 50, exposure: 40 }],
  ['strength -50 (adds haze)', { strength: -50, distance: 0, protect: 0, exposure: 0 }],
  ['strength 150, protect 25', { strength: 150, distance: 0, protect: 25, exposure: 0 }],
];

async function raw(width: number, height: number, channels: 3 | 4): Promise<ImageBuffer> {
  const pipeline = sharp(opts.photo).resize(width, height, { fit: 'fill', kernel: 'lanczos3' });
  const buf = await (channels === 4 ? pipeline.ensureAlpha() : pipeline.removeAlpha()).raw().toBuffer();
  const data = channels === 4 ? new Uint8ClampedArray(buf.buffer, buf.byteOffset, buf.length) : new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
  return { width, height, channels, data };
}

function cpuMs(fn: () => void): number {
  const start = process.cpuUsage();
  fn();
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1000;
}

const stats = (v: number[]): string => {
  const s = [...v].sort((a, b) => a - b);
  return `min ${s[0].toFixed(1).padStart(6)}  median ${s[s.length >> 1].toFixed(1).padStart(6)} ms`;
};

const meta = await sharp(opts.photo).metadata();
const aspect = meta.width / meta.height;
const fullH = Math.round(Math.sqrt((opts.fullMegapixels * 1e6) / aspect));
const full = await raw(Math.round(fullH * aspect), fullH, 3);
const proxyH = Math.round(Math.sqrt(2e6 / aspect));
const proxy = await raw(Math.round(proxyH * aspect), proxyH, 4);

const model = await findModel();
const backend = await createNodeBackend(model.onnxPath, model.manifest);
const estimate = await estimateHaze(backend, model.manifest, full);
await backend.dispose();

console.log(`renderDehazedSync, ${proxy.width}x${proxy.height} RGBA proxy, CPU time over ${opts.runs} runs (after 2 warm-up runs)`);
const output: ImageBuffer = { ...proxy, data: new Uint8ClampedArray(proxy.data.length) };
for (const [name, adj] of opts.only ? SETTINGS.slice(opts.only - 1, opts.only) : SETTINGS) {
  const times: number[] = [];
  for (let i = 0; i < opts.runs + 2; i++) {
    const t = cpuMs(() => renderDehazedSync(proxy, estimate, model.manifest, adj, { output }));
    if (i >= 2) times.push(t);
  }
  console.log(`  ${name.padEnd(26)} ${stats(times)}`);
}

const defaults = defaultAdjustments(model.manifest);
console.log(`renderDehazed in place, ${full.width}x${full.height} RGB (export), the model's defaults ${JSON.stringify(defaults)}`);
const pristine = full.data.slice();
const times: number[] = [];
for (let i = 0; i < 3; i++) {
  full.data.set(pristine);
  const start = process.cpuUsage();
  await renderDehazed(full, estimate, model.manifest, defaults, { output: full });
  const d = process.cpuUsage(start);
  times.push((d.user + d.system) / 1000);
}
console.log(`  ${'defaults'.padEnd(26)} ${stats(times)}`);
