import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { REAL_PHOTOS, copyPhoto, makeTempDir, runCli, sha256 } from './cli-helpers';

// Hazeless replaces only files it wrote itself, never takes them for inputs, and cleans up the
// temporary files of a run that was killed.
describe('hazeless: files it did not write', () => {
  let dir: string;

  beforeEach(() => {
    dir = makeTempDir('originals');
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const at = (...p: string[]): string => path.join(dir, ...p);

  test('--overwrite never replaces an unrelated original with the output name (b.png -> b.jpg)', async () => {
    await sharp(path.join(REAL_PHOTOS, 'cones.jpg')).png().toFile(at('b.png'));
    copyPhoto('swan.jpg', dir, 'b.jpg');
    const original = sha256(at('b.jpg'));

    const run = await runCli(['b.png', '-o', '.', '--suffix', '', '--format', 'jpeg', '--overwrite'], { cwd: dir });
    expect(sha256(at('b.jpg'))).toBe(original);
    expect(run.stdout).toMatch(/skipped b\.png: b\.jpg .*not written by Hazeless/);
    expect(run.stdout).toMatch(/0 dehazed, 1 skipped of 1/);
    expect(run.code).toBe(0);
  });

  test('--overwrite replaces an earlier output, but not once another program has changed it', async () => {
    copyPhoto('cones.jpg', dir);
    expect((await runCli(['cones.jpg', '-o', 'out', '--strength', '40'], { cwd: dir })).code).toBe(0);
    const output = at('out', 'cones-dehazed.jpg');
    const first = sha256(output);
    expect((await runCli(['cones.jpg', '-o', 'out', '--overwrite'], { cwd: dir })).code).toBe(0);
    expect(sha256(output)).not.toBe(first);

    // Re-saved by another editor that keeps the metadata (and so the mark): now the user's file.
    const edited = await sharp(fs.readFileSync(output)).keepMetadata().modulate({ brightness: 1.1 }).jpeg({ quality: 80 }).toBuffer();
    fs.writeFileSync(output, edited);
    const run = await runCli(['cones.jpg', '-o', 'out', '--overwrite'], { cwd: dir });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/skipped cones\.jpg: .*cones-dehazed\.jpg .*not written by Hazeless/);
    expect(fs.readFileSync(output).equals(edited)).toBe(true);
  });

  test('a second run into the same folder takes none of its own outputs as inputs and exits 0', async () => {
    copyPhoto('cones.jpg', dir, 'x.jpg');
    const first = await runCli(['.', '-o', '.'], { cwd: dir });
    expect(first.code).toBe(0);
    expect(fs.readdirSync(dir).sort()).toEqual(['x-dehazed.jpg', 'x.jpg']);

    for (const extra of [[], ['--overwrite']]) {
      const again = await runCli(['.', '-o', '.', ...extra], { cwd: dir });
      expect({ extra, code: again.code }).toEqual({ extra, code: 0 });
      expect(fs.readdirSync(dir).sort()).toEqual(['x-dehazed.jpg', 'x.jpg']);
      expect(again.stdout + again.stderr).toMatch(/1 file written by Hazeless left out/);
    }

    // A folder holding only outputs: nothing to do, and it says so.
    fs.rmSync(at('x.jpg'));
    const only = await runCli(['.'], { cwd: dir });
    expect(only.code).toBe(0);
    expect(only.stderr).toMatch(/nothing to do/i);
    expect(fs.readdirSync(dir)).toEqual(['x-dehazed.jpg']);
  });

  test('--on-existing rename keeps both, never over a file Hazeless did not write, and later runs still leave every output out', async () => {
    copyPhoto('cones.jpg', dir, 'x.jpg');
    copyPhoto('swan.jpg', dir, 'y.jpg');
    // The user's own file where y's output would go.
    copyPhoto('swan.jpg', dir, 'y-dehazed.jpg');
    const users = sha256(at('y-dehazed.jpg'));
    expect((await runCli(['x.jpg', '-o', '.'], { cwd: dir })).code).toBe(0);

    const second = await runCli(['x.jpg', 'y.jpg', '-o', '.', '--on-existing', 'rename'], { cwd: dir });
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/2 dehazed of 2/);
    expect(fs.readdirSync(dir).sort()).toEqual(['x-dehazed (2).jpg', 'x-dehazed.jpg', 'x.jpg', 'y-dehazed (2).jpg', 'y-dehazed.jpg', 'y.jpg']);
    expect(sha256(at('y-dehazed.jpg'))).toBe(users);

    // The renamed outputs carry the mark: a run over the folder takes none of them for a photo
    // (y-dehazed.jpg, the user's file, is one), and renames again.
    const third = await runCli(['.', '-o', '.', '--on-existing', 'rename', '--json'], { cwd: dir });
    expect(third.code).toBe(0);
    expect(third.stderr).toMatch(/3 files written by Hazeless left out/);
    const inputs = third.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { input: string }).input);
    expect(inputs.sort()).toEqual(['x.jpg', 'y-dehazed.jpg', 'y.jpg']);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('x-')).sort()).toEqual(['x-dehazed (2).jpg', 'x-dehazed (3).jpg', 'x-dehazed.jpg']);
    expect(sha256(at('y-dehazed.jpg'))).toBe(users);

    // An input at the output name is renamed around too, never replaced.
    const original = sha256(at('x.jpg'));
    const same = await runCli(['x.jpg', '-o', '.', '--suffix', '', '--on-existing', 'rename'], { cwd: dir });
    expect(same.code).toBe(0);
    expect(fs.existsSync(at('x (2).jpg'))).toBe(true);
    expect(sha256(at('x.jpg'))).toBe(original);
  });

  test('temporary files of a killed run are removed by a later run once stale; fresh ones and look-alikes stay', async () => {
    await sharp(path.join(REAL_PHOTOS, 'urbino.jpg')).resize(4000, 3000, { fit: 'fill' }).jpeg({ quality: 90 }).toFile(at('big.jpg'));
    copyPhoto('swan.jpg', dir);
    const out = at('out');
    const temps = (): string[] => (fs.existsSync(out) ? fs.readdirSync(out).filter((n) => n.includes('.partial')) : []);

    // Killed as soon as the TIFF's temporary file has content (the mark goes first; a write cut
    // in the middle is io-hazeless-mark.test.ts's).
    const killed = await runCli(['big.jpg', '-o', 'out', '--format', 'tiff'], {
      cwd: dir,
      control: async (child) => {
        const size = (): number => fs.statSync(path.join(out, temps()[0])).size;
        while (temps().length === 0 || size() === 0) await new Promise((r) => setTimeout(r, 5));
        child.kill('SIGKILL');
      },
    });
    expect(killed.signal).toBe('SIGKILL');
    const [stale] = temps();
    expect(stale).toMatch(/^\.big-dehazed\.[0-9a-f]{8}\.partial\.tif$/);
    expect(fs.statSync(path.join(out, stale)).size).toBeGreaterThan(0);
    const hourAgo = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(out, stale), hourAgo, hourAgo);
    // Another run still writing (fresh), and a user's files that only look similar (old): one
    // named otherwise, and photos (one of them a TIFF) with exactly a temporary file's name.
    fs.writeFileSync(path.join(out, '.other-dehazed.0123abcd.partial.tif'), 'being written');
    fs.writeFileSync(path.join(out, '.notes.partial.tif'), 'mine');
    copyPhoto('swan.jpg', out, '.holiday.0123abcd.partial.jpg');
    await sharp(path.join(REAL_PHOTOS, 'cones.jpg')).tiff().toFile(path.join(out, '.scan.89abcdef.partial.tif'));
    const users = ['.notes.partial.tif', '.holiday.0123abcd.partial.jpg', '.scan.89abcdef.partial.tif'];
    const before = users.map((n) => sha256(path.join(out, n)));
    for (const n of users) fs.utimesSync(path.join(out, n), hourAgo, hourAgo);

    const later = await runCli(['swan.jpg', '-o', 'out', '--format', 'tiff'], { cwd: dir });
    expect(later.code).toBe(0);
    expect(fs.readdirSync(out).sort()).toEqual([...users, '.other-dehazed.0123abcd.partial.tif', 'swan-dehazed.tif'].sort());
    expect(users.map((n) => sha256(path.join(out, n)))).toEqual(before);
  });
});

describe('hazeless: plain messages and numbers', () => {
  let dir: string;
  // File permissions do not stop root: run the CLI as "nobody" then.
  const user = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : undefined;

  beforeEach(() => {
    dir = makeTempDir('messages');
    fs.chmodSync(dir, 0o777);
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('an unreadable photo is reported as permission denied', async () => {
    copyPhoto('cones.jpg', dir, 'locked.jpg');
    fs.chmodSync(path.join(dir, 'locked.jpg'), 0o000);
    const run = await runCli(['locked.jpg', '-o', 'out'], { cwd: dir, user });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error locked\.jpg: permission denied/);
    expect(run.stderr).not.toMatch(/not a supported image/);
  });

  test('a read-only output folder is named plainly, without a temporary file name', async () => {
    copyPhoto('cones.jpg', dir);
    fs.mkdirSync(path.join(dir, 'ro'), { mode: 0o555 });
    if (user) fs.chownSync(path.join(dir, 'ro'), 0, 0);
    fs.chmodSync(path.join(dir, 'ro'), 0o555);
    const run = await runCli(['cones.jpg', '-o', 'ro'], { cwd: dir, user });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error cones\.jpg: cannot write to the folder ro: permission denied/);
    expect(run.stderr).not.toMatch(/partial/);
    expect(fs.readdirSync(path.join(dir, 'ro'))).toEqual([]);
  });

  test('numbers: decimal only, and --max-size at least the app\'s minimum', async () => {
    copyPhoto('cones.jpg', dir);
    const cases = [
      ['--strength', '0x10'],
      ['--quality', '0x10'],
      ['--max-size', '0x100'],
      ['--max-size', '1e3'],
      ['--max-size', '1'],
      ['--max-size', '15'],
    ];
    const runs = await Promise.all(cases.map((args) => runCli([...args, 'cones.jpg', '-o', 'out'], { cwd: dir })));
    runs.forEach((run, i) => {
      expect({ args: cases[i], code: run.code }).toEqual({ args: cases[i], code: 2 });
      expect(run.stderr).toMatch(/error/);
    });
    expect(runs[4].stderr).toMatch(/--max-size must be an integer from 16 to 65535/);
    expect(fs.existsSync(path.join(dir, 'out'))).toBe(false);

    const smallest = await runCli(['--max-size', '16', 'cones.jpg', '-o', 'out'], { cwd: dir });
    expect(smallest.code).toBe(0);
    const m = await sharp(path.join(dir, 'out', 'cones-dehazed.jpg')).metadata();
    expect(Math.max(m.width, m.height)).toBe(16);
  });
});
