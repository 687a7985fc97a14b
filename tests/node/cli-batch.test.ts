import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { discoverInputs } from '../../cli/discover';
import { REAL_PHOTOS, REPO, copyPhoto, hashTree, jsonLines, makeTempDir, runCli, sha256 } from './cli-helpers';

describe('hazeless: batches, failures, refusals, exit codes', () => {
  let dir: string;
  let inputs: Record<string, string>;

  beforeAll(() => {
    dir = makeTempDir('batch');
    copyPhoto('cones.jpg', dir);
    copyPhoto('beach.jpg', dir);
    fs.writeFileSync(path.join(dir, 'corrupt.jpg'), 'this is a text file, not a JPEG\n');
    const whole = fs.readFileSync(path.join(REAL_PHOTOS, 'canon.jpg'));
    fs.writeFileSync(path.join(dir, 'truncated.jpg'), whole.subarray(0, Math.floor(whole.length * 0.4)));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a photo');
    fs.mkdirSync(path.join(dir, 'sub'));
    copyPhoto('swan.jpg', path.join(dir, 'sub'));
    inputs = hashTree(dir);
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const out = (...p: string[]): string => path.join(dir, ...p);

  test('a corrupt and a truncated file are reported by name, the rest of the batch succeeds, exit 1', async () => {
    const run = await runCli(['.'], { cwd: dir });
    expect(run.code).toBe(1);
    const errors = run.stderr.split('\n').filter((l) => l.includes('error'));
    expect(errors.some((l) => l.includes('corrupt.jpg') && /not a supported image/.test(l))).toBe(true);
    expect(errors.some((l) => l.includes('truncated.jpg') && /truncated/.test(l))).toBe(true);
    expect(errors).toHaveLength(2);
    for (const name of ['cones', 'beach']) {
      const m = await sharp(out('dehazed', `${name}-dehazed.jpg`)).metadata();
      expect(m.format).toBe('jpeg');
    }
    expect(fs.existsSync(out('dehazed', 'cones-dehazed.jpg'))).toBe(true);
    // Not recursive: the subfolder is left alone; other files are not taken for photos.
    expect(fs.existsSync(out('sub', 'dehazed'))).toBe(false);
    expect(run.stdout + run.stderr).not.toContain('notes.txt');
    expect(fs.readdirSync(out('dehazed')).sort()).toEqual(['beach-dehazed.jpg', 'cones-dehazed.jpg']);
  });

  test('an existing output is skipped without --overwrite and replaced with it', async () => {
    const target = out('dehazed', 'cones-dehazed.jpg');
    const before = sha256(target);
    const skip = await runCli(['cones.jpg', '--strength', '40'], { cwd: dir });
    expect(skip.code).toBe(0);
    expect(skip.stdout).toMatch(/skipped cones\.jpg: .*already exists/);
    expect(sha256(target)).toBe(before);

    const replace = await runCli(['cones.jpg', '--strength', '40', '--overwrite'], { cwd: dir });
    expect(replace.code).toBe(0);
    expect(sha256(target)).not.toBe(before);
  });

  test('-r through a folder and a link to it: the folder is walked under its own name, the link is the duplicate', async () => {
    const trip = path.join(dir, 'trip');
    fs.mkdirSync(path.join(trip, 'sub'), { recursive: true });
    copyPhoto('swan.jpg', path.join(trip, 'sub'));
    // Sorts before 'sub'; and one deeper in a folder that sorts before it.
    fs.symlinkSync(path.join(trip, 'sub'), path.join(trip, 'a-shortcut'));
    fs.mkdirSync(path.join(trip, 'a', 'best'), { recursive: true });
    fs.symlinkSync(path.join(trip, 'sub'), path.join(trip, 'a', 'best', 'link'));
    const { files } = await discoverInputs([trip], { recursive: true });
    expect(files).toEqual([{ path: path.join(trip, 'sub', 'swan.jpg'), relDir: 'sub' }]);
    // A linked folder found nowhere else is walked, under the link's name.
    fs.rmSync(path.join(trip, 'a-shortcut'));
    fs.rmSync(path.join(trip, 'a', 'best', 'link'));
    const elsewhere = makeTempDir('linked');
    copyPhoto('cones.jpg', elsewhere);
    fs.symlinkSync(elsewhere, path.join(trip, 'a', 'best', 'link'));
    expect((await discoverInputs([trip], { recursive: true })).files).toEqual([
      { path: path.join(trip, 'sub', 'swan.jpg'), relDir: 'sub' },
      { path: path.join(trip, 'a', 'best', 'link', 'cones.jpg'), relDir: path.join('a', 'best', 'link') },
    ]);
    fs.rmSync(trip, { recursive: true });
    fs.rmSync(elsewhere, { recursive: true });
  });

  test('--json prints one parsable line per file; -r descends but never into dehazed folders', async () => {
    const run = await runCli(['-r', '--json', '--overwrite', '.'], { cwd: dir });
    expect(run.code).toBe(1);
    const lines = jsonLines(run.stdout);
    const byInput = new Map(lines.map((l) => [String(l.input), l]));
    expect([...byInput.keys()].sort()).toEqual(['beach.jpg', 'cones.jpg', 'corrupt.jpg', path.join('sub', 'swan.jpg'), 'truncated.jpg']);
    const swan = byInput.get(path.join('sub', 'swan.jpg'))!;
    expect(swan.status).toBe('ok');
    expect(swan.output).toBe(out('sub', 'dehazed', 'swan-dehazed.jpg'));
    expect(swan).toMatchObject({ width: 624, height: 416, format: 'jpeg', bitDepth: 8 });
    const t = swan.timings as Record<string, number>;
    for (const k of ['decodeMs', 'networkMs', 'reconstructionMs', 'encodeMs', 'totalMs']) expect(t[k]).toBeGreaterThan(0);
    expect(byInput.get('corrupt.jpg')).toMatchObject({ status: 'failed' });
    expect(String(byInput.get('truncated.jpg')!.reason)).toMatch(/truncated/);
    expect(fs.existsSync(out('sub', 'dehazed', 'swan-dehazed.jpg'))).toBe(true);
    expect(fs.existsSync(out('dehazed', 'dehazed'))).toBe(false);

    // With --out inside the tree: neither the earlier "dehazed" folders nor --out itself are inputs.
    for (let pass = 0; pass < 2; pass++) {
      const again = await runCli(['-r', '--json', '-o', 'out', '.'], { cwd: dir });
      const inputsSeen = jsonLines(again.stdout).map((l) => String(l.input));
      expect(inputsSeen.sort()).toEqual(['beach.jpg', 'cones.jpg', 'corrupt.jpg', path.join('sub', 'swan.jpg'), 'truncated.jpg']);
    }
    expect(fs.existsSync(out('out', 'sub', 'swan-dehazed.jpg'))).toBe(true);
  });

  test('never replaces an input: same folder with an empty suffix, or a hard link to it, is refused', async () => {
    const same = await runCli(['cones.jpg', '-o', '.', '--suffix', '', '--overwrite'], { cwd: dir });
    expect(same.code).toBe(1);
    expect(same.stderr).toMatch(/cones\.jpg: .*replace the input/);

    fs.mkdirSync(out('linked'));
    fs.linkSync(out('beach.jpg'), out('linked', 'beach.jpg'));
    const linked = await runCli(['beach.jpg', '-o', 'linked', '--suffix', '', '--overwrite'], { cwd: dir });
    expect(linked.code).toBe(1);
    expect(linked.stderr).toMatch(/beach\.jpg: .*replace the input/);
    fs.rmSync(out('linked'), { recursive: true });
  });

  test('usage errors exit 2 before any work', async () => {
    const cases: string[][] = [
      [],
      ['--bogus', 'cones.jpg'],
      ['--strength', '201', 'cones.jpg'],
      ['--protect', '-5', 'cones.jpg'],
      ['--quality', '0', 'cones.jpg'],
      ['--format', 'gif', 'cones.jpg'],
      ['--max-size', 'big', 'cones.jpg'],
      ['--model', 'no-such-model.json', 'cones.jpg'],
      ['--on-existing', 'replace', 'cones.jpg'],
      ['--overwrite', '--on-existing', 'rename', 'cones.jpg'],
    ];
    const runs = await Promise.all(cases.map((args) => runCli(args, { cwd: dir })));
    runs.forEach((run, i) => {
      expect({ args: cases[i], code: run.code }).toEqual({ args: cases[i], code: 2 });
      expect(run.stderr).toMatch(/error/);
    });
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('--max-size');
    // An output folder where a file is (or a file where a folder above it would be): said once.
    for (const out of ['notes.txt', 'notes.txt/sub']) {
      const run = await runCli(['-o', out, 'cones.jpg', 'beach.jpg'], { cwd: dir });
      expect(run.code).toBe(2);
      expect(run.stderr).toBe('error: --out: notes.txt is a file, not a folder\n');
    }
  });

  test('--model naming something that is not a model says so in words, not in its bytes', async () => {
    const run = await runCli(['--model', 'cones.jpg', 'beach.jpg'], { cwd: dir });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('error: not a model manifest (a .json file exported with the model): cones.jpg\n');
  });

  test('--model takes what --help says it takes: a manifest, its .onnx, or a folder of models', async () => {
    const help = await runCli(['--help'], { cwd: dir });
    expect(help.stdout.replace(/\s+/g, ' ')).toMatch(/--model <path> [^-]*a manifest \(\.json\), its \.onnx, or a folder of models/);
    const models = path.join(REPO, 'models');
    for (const model of [path.join(models, 'hazeless-v1.json'), path.join(models, 'hazeless-v1.onnx'), models]) {
      const run = await runCli(['sub/swan.jpg', '--model', model, '-o', 'by-model', '--overwrite'], { cwd: dir });
      expect({ model, code: run.code }).toEqual({ model, code: 0 });
    }
  });

  test('long names: an output name that fits is written; one past the file system says so in one line', async () => {
    const long = path.join(dir, 'long');
    fs.mkdirSync(long);
    // 243 bytes with the suffix: fits (its temporary name would not, unshortened).
    copyPhoto('swan.jpg', long, `${'a'.repeat(231)}.jpg`);
    // 262 bytes with the suffix: cannot be written on any usual file system.
    copyPhoto('swan.jpg', long, `${'\u00e9'.repeat(125)}.jpg`);
    const run = await runCli(['long', '-o', 'long-out', '--json'], { cwd: dir });
    expect(run.code).toBe(1);
    expect(fs.readdirSync(out('long-out'))).toEqual([`${'a'.repeat(231)}-dehazed.jpg`]);
    const failed = jsonLines(run.stdout).find((l) => l.status === 'failed');
    expect(failed?.reason).toBe("the output's name is too long for the file system (262 bytes, at most 255): use a shorter --suffix");
  });

  test('after all of the above, every input is byte for byte what it was', () => {
    const after = hashTree(dir);
    for (const [file, hash] of Object.entries(inputs)) expect({ file, hash: after[file] }).toEqual({ file, hash });
  });
});
