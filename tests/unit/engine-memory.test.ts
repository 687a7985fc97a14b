/**
 * Memory model: a 50-megapixel photo dehazes in place (network + banded render) within 2 GB peak
 * RSS, measured in a separate process so nothing else in the test runner counts. Set
 * HAZELESS_TEST_100MP=1 to also run 100 MP (slow on a small machine).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ROOT } from './engine-fixtures';

const url = (p: string): string => pathToFileURL(path.join(ROOT, p)).href;

const SCRIPT = `
import { readFileSync } from 'node:fs';
import { parseManifest, estimateHaze, renderDehazed } from '${url('engine/index.ts')}';
import { createNodeBackend } from '${url('engine/backend-node.ts')}';
const mp = Number(process.argv[2]);
const width = Math.round(Math.sqrt(mp * 1e6 * 1.5));
const height = Math.round(width / 1.5);
const manifest = parseManifest(JSON.parse(readFileSync('models/hazeless-v1.json', 'utf8')));
const backend = await createNodeBackend('models/hazeless-v1.onnx', manifest, { intraOpNumThreads: 2 });
// A hazy gradient with texture: haze grows towards the top.
const data = new Uint8Array(width * height * 3);
for (let y = 0; y < height; y++) {
  const t = y / height;
  for (let x = 0, p = y * width * 3; x < width; x++, p += 3) {
    data[p] = 200 - 120 * t + ((x * 13) & 31);
    data[p + 1] = 205 - 100 * t;
    data[p + 2] = 215 - 140 * t + ((x >> 4) & 15);
  }
}
const before = Array.from(data.subarray(data.length - 30));
const image = { width, height, channels: 3, data };
const rssBefore = process.memoryUsage().rss;
const started = performance.now();
const estimate = await estimateHaze(backend, manifest, image);
const estimated = performance.now();
await renderDehazed(image, estimate, manifest, { strength: 90, distance: -30, protect: 50, exposure: 20 }, { output: image });
const done = performance.now();
const after = Array.from(data.subarray(data.length - 30));
console.log(JSON.stringify({
  width, height,
  estimateMs: Math.round(estimated - started), renderMs: Math.round(done - estimated),
  rssBeforeMB: Math.round(rssBefore / 2 ** 20), peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
  changed: before.some((v, i) => v !== after[i]),
}));
`;

function measure(megapixels: number): { width: number; height: number; peakRssMB: number; rssBeforeMB: number; changed: boolean } {
  const dir = mkdtempSync(path.join(tmpdir(), 'engine-memory-'));
  const file = path.join(dir, 'run.mts');
  writeFileSync(file, SCRIPT);
  const out = execFileSync(process.execPath, ['--import', 'tsx', file, String(megapixels)], { cwd: ROOT, encoding: 'utf8' });
  const result = JSON.parse(out.trim().split('\n').pop() ?? '{}');
  console.info(`engine memory ${megapixels} MP: ${JSON.stringify(result)}`);
  return result;
}

describe('memory', () => {
  it('dehazes 50 MP within 2 GB peak RSS, the photo itself being most of it', () => {
    const r = measure(50);
    expect(r.width * r.height).toBeGreaterThan(49e6);
    expect(r.changed).toBe(true);
    expect(r.peakRssMB).toBeLessThan(2048);
    // Beyond the photo (allocated before), the engine adds little: rows and network-size planes.
    expect(r.peakRssMB - r.rssBeforeMB).toBeLessThan(300);
  }, 300_000);

  it.runIf(process.env.HAZELESS_TEST_100MP === '1')('runs 100 MP', () => {
    const r = measure(100);
    expect(r.changed).toBe(true);
    expect(r.peakRssMB).toBeLessThan(2048);
  }, 600_000);
});
