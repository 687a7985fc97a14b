import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { copyPhoto, makeTempDir, runCli } from './cli-helpers';

// The command runs compiled (bin/compiled-cli.mjs): built once, built again when what it was built
// from changes, and run from its sources through tsx where it cannot be kept.
describe('hazeless, compiled', () => {
  let dir: string;

  beforeAll(() => {
    dir = makeTempDir('compiled');
    copyPhoto('cones.jpg', dir);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const builds = (cache: string): string[] => fs.readdirSync(cache).filter((n) => n.startsWith('build-'));
  const manifest = (cache: string): { dir: string; inputs: [string, number, number][] } =>
    JSON.parse(fs.readFileSync(path.join(cache, 'manifest.json'), 'utf8'));

  test('is built once, and again once a file it was built from has changed', async () => {
    const cache = path.join(dir, 'cache');
    const env = { HAZELESS_CLI_CACHE: cache };
    const first = await runCli(['--version'], { cwd: dir, env });
    expect(first.code).toBe(0);
    expect(builds(cache)).toHaveLength(1);
    const built = manifest(cache);
    expect(built.inputs.map(([file]) => file)).toEqual(expect.arrayContaining(['cli/main.ts', 'node/photo-worker.ts', 'engine/render.ts', 'bin/compiled-cli.mjs']));

    // The same sources: the same build. (A file written in the second before the build counts as
    // changed, so the first build may be followed by one more.)
    await runCli(['--version'], { cwd: dir, env });
    const settled = manifest(cache).dir;
    await runCli(['--version'], { cwd: dir, env });
    expect(manifest(cache).dir).toBe(settled);

    // A source that is not what the build saw (its size differs): built again, and it runs.
    const stale = manifest(cache);
    stale.inputs[0][2] += 1;
    fs.writeFileSync(path.join(cache, 'manifest.json'), JSON.stringify(stale));
    const run = await runCli(['cones.jpg', '-o', 'out-a'], { cwd: dir, env });
    expect(run.code).toBe(0);
    expect(manifest(cache).dir).not.toBe(settled);
    expect(fs.readdirSync(path.join(dir, 'out-a'))).toEqual(['cones-dehazed.jpg']);
  });

  test('a build whose folder is gone is built again', async () => {
    const cache = path.join(dir, 'cache-gone');
    const env = { HAZELESS_CLI_CACHE: cache };
    await runCli(['--version'], { cwd: dir, env });
    const gone = manifest(cache).dir;
    fs.rmSync(path.join(cache, gone), { recursive: true });
    const run = await runCli(['--version'], { cwd: dir, env });
    expect(run.code).toBe(0);
    expect(manifest(cache).dir).not.toBe(gone);
  });

  test('where it cannot be kept, the command runs from its sources and writes the same file', async () => {
    // A cache "folder" inside a file: nothing can be written there, not even by root.
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const run = await runCli(['cones.jpg', '-o', 'out-b'], { cwd: dir, env: { HAZELESS_CLI_CACHE: path.join(blocker, 'cache') } });
    expect(run.code).toBe(0);
    const compiled = await runCli(['cones.jpg', '-o', 'out-c'], { cwd: dir });
    expect(compiled.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out-b', 'cones-dehazed.jpg')).equals(fs.readFileSync(path.join(dir, 'out-c', 'cones-dehazed.jpg')))).toBe(true);
  });
});
