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
    copyPhoto('swan.jpg', dir);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  interface Manifest {
    dir: string;
    inputs: [string, number, number][];
  }
  const builds = (cache: string): string[] => fs.readdirSync(cache).filter((n) => n.startsWith('hazeless-cli-build-'));
  const manifestFile = (cache: string): string => {
    const names = fs.readdirSync(cache).filter((n) => /^manifest-[0-9a-f]+\.json$/.test(n));
    expect(names).toHaveLength(1);
    return path.join(cache, names[0]);
  };
  const manifest = (cache: string): Manifest => JSON.parse(fs.readFileSync(manifestFile(cache), 'utf8')) as Manifest;
  /** Runs --version until the build settles (a file written in the seconds before a build counts as changed). */
  const settle = async (cache: string): Promise<string> => {
    const env = { HAZELESS_CLI_CACHE: cache };
    expect((await runCli(['--version'], { cwd: dir, env })).code).toBe(0);
    for (let i = 0; i < 3 && manifest(cache).inputs.some(([, mtime]) => mtime === -1); i++) {
      await new Promise((r) => setTimeout(r, 1000));
      await runCli(['--version'], { cwd: dir, env });
    }
    return manifest(cache).dir;
  };
  const stale = (cache: string): void => {
    const m = manifest(cache);
    m.inputs[0][2] += 1;
    fs.writeFileSync(manifestFile(cache), JSON.stringify(m));
  };

  test('is built once, and again once a file it was built from has changed', async () => {
    const cache = path.join(dir, 'cache');
    const env = { HAZELESS_CLI_CACHE: cache };
    const settled = await settle(cache);
    expect(manifest(cache).inputs.map(([file]) => file)).toEqual(
      expect.arrayContaining(['cli/main.ts', 'node/photo-worker.ts', 'engine/render.ts', 'bin/compiled-cli.mjs', 'tsconfig.base.json', 'node_modules/sharp/dist/index.cjs']),
    );
    await runCli(['--version'], { cwd: dir, env });
    expect(manifest(cache).dir).toBe(settled);

    // A source that is not what the build saw (its size differs): built again, and it runs.
    stale(cache);
    const run = await runCli(['cones.jpg', '-o', 'out-a'], { cwd: dir, env });
    expect(run.code).toBe(0);
    expect(manifest(cache).dir).not.toBe(settled);
    expect(fs.readdirSync(path.join(dir, 'out-a'))).toEqual(['cones-dehazed.jpg']);
  });

  test('a build with a file missing, or a manifest of another shape, is built again', async () => {
    const cache = path.join(dir, 'cache-gone');
    const env = { HAZELESS_CLI_CACHE: cache };
    const first = await settle(cache);
    fs.rmSync(path.join(cache, first, 'photo-worker.cjs'));
    const run = await runCli(['cones.jpg', 'swan.jpg', '--jobs', '2', '-o', 'out-gone'], { cwd: dir, env });
    expect(run.code).toBe(0);
    expect(manifest(cache).dir).not.toBe(first);

    const second = manifest(cache).dir;
    fs.writeFileSync(manifestFile(cache), JSON.stringify({ repo: 'x', inputs: [{ path: 'cli/main.ts' }] }));
    expect((await runCli(['--version'], { cwd: dir, env })).code).toBe(0);
    expect(manifest(cache).dir).not.toBe(second);
  });

  test('a cache moved elsewhere, or named from the current folder, still runs its own photo threads', async () => {
    const before = path.join(dir, 'cache-before');
    await settle(before);
    const after = path.join(dir, 'cache-after');
    fs.renameSync(before, after);
    const moved = await runCli(['cones.jpg', 'swan.jpg', '--jobs', '2', '-o', 'out-moved', '--json'], { cwd: dir, env: { HAZELESS_CLI_CACHE: after } });
    expect(moved.code).toBe(0);
    expect(fs.readdirSync(path.join(dir, 'out-moved')).sort()).toEqual(['cones-dehazed.jpg', 'swan-dehazed.jpg']);

    const relative = await runCli(['--version'], { cwd: dir, env: { HAZELESS_CLI_CACHE: 'cache-relative' } });
    expect(relative.code).toBe(0);
    expect(builds(path.join(dir, 'cache-relative'))).toHaveLength(1);
  });

  test('builds nothing has run from for a week are removed, with the manifests of checkouts that are gone; nothing else', async () => {
    const cache = path.join(dir, 'cache-old');
    const current = await settle(cache);
    stale(cache);
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600_000);
    const make = (name: string, file: string | null, age: Date): string => {
      const d = path.join(cache, name);
      fs.mkdirSync(d, { recursive: true });
      if (file !== null) {
        fs.writeFileSync(path.join(d, file), '');
        fs.utimesSync(path.join(d, file), age, age);
      }
      return d;
    };
    const unused = make('hazeless-cli-build-unused', 'hazeless-cli-build', weekAgo);
    const usedToday = make('hazeless-cli-build-used', 'hazeless-cli-build', new Date());
    const foreign = make('hazeless-cli-build-foreign', null, weekAgo);
    // A checkout that is gone, its manifest and its build a week old.
    const orphan = make('hazeless-cli-build-orphan', 'hazeless-cli-build', weekAgo);
    const orphanManifest = path.join(cache, 'manifest-0badc0de.json');
    fs.writeFileSync(orphanManifest, JSON.stringify({ repo: path.join(dir, 'gone-checkout'), dir: path.basename(orphan), inputs: [] }));
    fs.utimesSync(orphanManifest, weekAgo, weekAgo);

    expect((await runCli(['--version'], { cwd: dir, env: { HAZELESS_CLI_CACHE: cache } })).code).toBe(0);
    expect([unused, orphan, orphanManifest].filter((f) => fs.existsSync(f))).toEqual([]);
    // The build the manifest named until this run is kept a week from its last use too.
    expect([usedToday, foreign, path.join(cache, current)].every((f) => fs.existsSync(f))).toBe(true);
    expect(manifest(cache).dir).not.toBe(current);
  });

  test('a run marks its build as used, and the build is strict code, as the sources are', async () => {
    const cache = path.join(dir, 'cache-mark');
    const build = path.join(cache, await settle(cache));
    const weekAgo = new Date(Date.now() - 8 * 24 * 3600_000);
    fs.utimesSync(path.join(build, 'hazeless-cli-build'), weekAgo, weekAgo);
    await runCli(['--version'], { cwd: dir, env: { HAZELESS_CLI_CACHE: cache } });
    expect(Date.now() - fs.statSync(path.join(build, 'hazeless-cli-build')).mtimeMs).toBeLessThan(60_000);
    for (const file of ['run.cjs', 'photo-worker.cjs']) expect(fs.readFileSync(path.join(build, file), 'utf8')).toMatch(/^'use strict';/);
  });

  test('where it cannot be kept, the command runs from its sources and writes the same file', async () => {
    // A cache "folder" inside a file: nothing can be written there, not even by root.
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const run = await runCli(['cones.jpg', '-o', 'out-b'], { cwd: dir, env: { HAZELESS_CLI_CACHE: path.join(blocker, 'cache') } });
    expect(run.code).toBe(0);
    const compiled = await runCli(['cones.jpg', '-o', 'out-c'], { cwd: dir, env: { HAZELESS_CLI_CACHE: path.join(dir, 'cache-compared') } });
    expect(compiled.code).toBe(0);
    expect(fs.readFileSync(path.join(dir, 'out-b', 'cones-dehazed.jpg')).equals(fs.readFileSync(path.join(dir, 'out-c', 'cones-dehazed.jpg')))).toBe(true);
  });
});
