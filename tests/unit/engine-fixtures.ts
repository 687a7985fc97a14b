/** Shared inputs for the engine tests: deterministic synthetic photos and the real manifest. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseManifest, type ImageBuffer, type ModelManifest } from '../../engine/index';

export const ROOT = path.resolve(import.meta.dirname, '../..');
export const PYTHON = '/usr/bin/python3';

export function realManifest(): ModelManifest {
  return parseManifest(JSON.parse(readFileSync(path.join(ROOT, 'models/hazeless-v1.json'), 'utf8')));
}

/** Small PRNG so inputs are reproducible without fixtures on disk. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A hazy-looking scene: a bright sky band on top, textured ground below, haze increasing with
 * height, blocks and noise so the guided filter has edges to follow.
 */
export function syntheticHazyImage(width: number, height: number, seed = 1, channels: 3 | 4 = 3): ImageBuffer {
  const rnd = mulberry32(seed);
  const data = new Uint8Array(width * height * channels);
  const air = [205, 210, 220];
  for (let y = 0; y < height; y++) {
    const depth = 1 - y / height; // top is far
    const t = Math.exp(-2.2 * depth);
    for (let x = 0; x < width; x++) {
      const sky = y < height * 0.25;
      const block = ((x >> 3) + (y >> 3)) % 3;
      const base = sky ? [120, 160, 230] : [40 + 50 * block, 70 + 30 * block, 30 + 20 * ((x * 7) % 5)];
      const p = (y * width + x) * channels;
      for (let c = 0; c < 3; c++) {
        const v = base[c] * t + air[c] * (1 - t) + (rnd() - 0.5) * 12;
        data[p + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
      if (channels === 4) data[p + 3] = Math.floor(rnd() * 256);
    }
  }
  return { width, height, channels, data };
}

/** Runs a Python snippet with the training package importable; returns stdout. */
export function runPython(code: string, args: string[] = []): string {
  return execFileSync(PYTHON, ['-c', code, ...args], {
    cwd: ROOT,
    env: { ...process.env, OMP_NUM_THREADS: '2', PYTHONPATH: path.join(ROOT, 'training') },
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
}

export function readF32(file: string): Float32Array {
  const buf = readFileSync(file);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}
