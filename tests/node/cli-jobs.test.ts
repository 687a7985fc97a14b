import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { REPO, copyPhoto, jsonLines, makeTempDir, runCli, sha256 } from './cli-helpers';

// Several photos at once (--jobs): the same files as one at a time, and the same report.
describe('hazeless --jobs', () => {
  let dir: string;
  const photos = ['cones.jpg', 'beach.jpg', 'swan.jpg', 'canon.jpg', 'camels.jpg'];

  beforeAll(() => {
    dir = makeTempDir('jobs');
    for (const p of photos) copyPhoto(p, dir);
    fs.writeFileSync(path.join(dir, 'corrupt.jpg'), 'this is a text file, not a JPEG\n');
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test("the command runs with glibc's allocator keeping photo-sized buffers for the next photo", async () => {
    // What the command's first line gives node's environment; a probe loaded into it reports it.
    const probe = path.join(dir, 'probe.cjs');
    fs.writeFileSync(probe, "const { isMainThread } = require('node:worker_threads');\nif (isMainThread) console.log('ALLOC ' + JSON.stringify([process.env.MALLOC_ARENA_MAX, process.env.MALLOC_MMAP_MAX_, process.env.MALLOC_TRIM_THRESHOLD_]));\n");
    const run = await runCli(['--version'], { cwd: dir, env: { NODE_OPTIONS: `--require ${probe}` } });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('ALLOC ["1","0","4294967295"]');
  });

  test('--jobs 12: a dozen photos at once, and no warning about listeners', async () => {
    const many = path.join(dir, 'many');
    fs.mkdirSync(many);
    for (let i = 0; i < 12; i++) copyPhoto('cones.jpg', many, `c${i}.jpg`);
    const run = await runCli(['many', '-o', 'many-out', '--jobs', '12', '--json'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(jsonLines(run.stdout)).toHaveLength(12);
    expect(run.stderr).not.toMatch(/Warning/);
  });

  test('--jobs must be a whole number from 1 to 256', async () => {
    for (const bad of ['0', '-1', '1.5', 'many', '257', '']) {
      const run = await runCli(['--jobs', bad, 'cones.jpg'], { cwd: dir });
      expect({ bad, code: run.code }).toEqual({ bad, code: 2 });
      expect(run.stderr).toMatch(/--jobs must be an integer from 1 to 256/);
    }
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.stdout).toMatch(/--jobs <n>/);
  });

  test('--jobs 3 writes byte for byte the files --jobs 1 writes, and reports every photo once', async () => {
    const one = await runCli(['.', '--json', '--jobs', '1', '-o', 'one'], { cwd: dir });
    const three = await runCli(['.', '--json', '--jobs', '3', '-o', 'three'], { cwd: dir });
    for (const run of [one, three]) {
      expect(run.code).toBe(1); // the corrupt file
      expect(run.stderr).toMatch(/Done: 5 dehazed, 1 failed of 6/);
      const lines = jsonLines(run.stdout);
      expect(lines.map((l) => l.input).sort()).toEqual([...photos, 'corrupt.jpg'].sort());
    }
    const names = fs.readdirSync(path.join(dir, 'one')).sort();
    expect(names).toEqual(photos.map((p) => p.replace('.jpg', '-dehazed.jpg')).sort());
    expect(fs.readdirSync(path.join(dir, 'three')).sort()).toEqual(names);
    for (const n of names) {
      expect({ n, hash: sha256(path.join(dir, 'three', n)) }).toEqual({ n, hash: sha256(path.join(dir, 'one', n)) });
    }
  });

  test('two photos with one output name at once: the second is not written and says whose name it is', async () => {
    const clash = path.join(dir, 'clash');
    fs.mkdirSync(clash);
    copyPhoto('swan.jpg', clash, 'a.jpg');
    await sharp(path.join(clash, 'a.jpg')).png().toFile(path.join(clash, 'a.png'));
    for (const extra of [[], ['--overwrite']]) {
      const run = await runCli(['a.jpg', 'a.png', '--format', 'jpeg', '--jobs', '2', '--json', '-o', 'out', ...extra], { cwd: clash });
      const byInput = Object.fromEntries(jsonLines(run.stdout).map((l) => [l.input, l]));
      expect(run.code).toBe(1);
      expect(byInput['a.jpg']).toMatchObject({ status: 'ok' });
      expect(byInput['a.png']).toMatchObject({ status: 'failed', reason: 'same output as a.jpg (use --on-existing rename to keep both, or another --suffix or --format)' });
      expect(fs.readdirSync(path.join(clash, 'out'))).toEqual(['a-dehazed.jpg']);
    }
    // What the reason suggests keeps both.
    const both = await runCli(['a.jpg', 'a.png', '--format', 'jpeg', '--jobs', '2', '--on-existing', 'rename', '-o', 'both'], { cwd: clash });
    expect(both.code).toBe(0);
    expect(fs.readdirSync(path.join(clash, 'both')).sort()).toEqual(['a-dehazed (2).jpg', 'a-dehazed.jpg']);
  });

  test.each(['2', '1'])('model weights the network cannot load, --jobs %s: every photo fails with the reason, and the run ends', async (jobs) => {
    const models = path.join(dir, 'broken-model');
    fs.mkdirSync(models, { recursive: true });
    fs.copyFileSync(path.join(REPO, 'models/hazeless-v1.json'), path.join(models, 'hazeless-v1.json'));
    fs.writeFileSync(path.join(models, 'hazeless-v1.onnx'), 'not a network\n');
    const run = await runCli(['cones.jpg', 'beach.jpg', 'swan.jpg', '--jobs', jobs, '--model', models, '-o', 'broken'], {
      cwd: dir,
      // A run that does not end by itself is killed, and fails the test below.
      control: (child) => void setTimeout(() => child.kill('SIGKILL'), 30_000).unref(),
    });
    expect(run.signal).toBeNull();
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toMatch(/Done: 0 dehazed, 3 failed of 3/);
    for (const photo of ['cones', 'beach', 'swan']) {
      expect(run.stdout + run.stderr).toMatch(new RegExp(`error ${photo}\\.jpg: .*Protobuf parsing failed`));
    }
    // No stack trace: one line per photo says it all.
    expect(run.stderr).not.toMatch(/^\s+at /m);
    expect(fs.existsSync(path.join(dir, 'broken'))).toBe(false);
  }, 60_000);
});
