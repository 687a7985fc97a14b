import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyPhoto, makeTempDir, runCli } from './cli-helpers';

// Hazeless works offline and keeps no record of the user's work: a batch writes its outputs and
// nothing else, in particular not the telemetry onnxruntime-node would keep in the user's home.
describe('hazeless leaves nothing behind but its outputs', () => {
  let dir: string;

  beforeAll(() => {
    dir = makeTempDir('offline');
    fs.mkdirSync(path.join(dir, 'home'));
    for (const p of ['cones.jpg', 'swan.jpg']) copyPhoto(p, dir);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("a batch on two threads writes nothing into the user's home (no onnxruntime telemetry)", async () => {
    const home = path.join(dir, 'home');
    const run = await runCli(['cones.jpg', 'swan.jpg', '--jobs', '2', '-o', 'out'], { cwd: dir, env: { HOME: home, XDG_CACHE_HOME: path.join(home, '.cache') } });
    expect(run.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'out')).sort()).toEqual(['cones-dehazed.jpg', 'swan-dehazed.jpg']);
    expect(fs.readdirSync(home, { recursive: true })).toEqual([]);
  });
});
