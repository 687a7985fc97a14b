import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ModelFileError, findModel } from '../../node/model-files';
import { REPO, makeTempDir } from './cli-helpers';

describe('model-files', () => {
  let dir: string;
  const shipped = JSON.parse(fs.readFileSync(path.join(REPO, 'models', 'hazeless-v1.json'), 'utf8')) as Record<string, unknown>;

  beforeAll(() => {
    dir = makeTempDir('models');
    fs.copyFileSync(path.join(REPO, 'models', 'hazeless-v1.onnx'), path.join(dir, 'hazeless-v1.onnx'));
    fs.writeFileSync(path.join(dir, 'hazeless-v1.json'), JSON.stringify(shipped));
  });

  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  test('finds a shipped model by default, validated, with its weights', async () => {
    const m = await findModel();
    expect(path.dirname(m.manifestPath)).toBe(path.join(REPO, 'models'));
    expect(fs.statSync(m.onnxPath).size).toBeGreaterThan(1000);
    const raw = JSON.parse(fs.readFileSync(m.manifestPath, 'utf8')) as { id: string; input: { maxSide: number } };
    expect(m.manifest.id).toBe(raw.id);
    expect(m.manifest.input.maxSide).toBe(raw.input.maxSide);
  });

  test('accepts a manifest, its .onnx or a folder', async () => {
    for (const p of [path.join(dir, 'hazeless-v1.json'), path.join(dir, 'hazeless-v1.onnx'), dir]) {
      const m = await findModel(p);
      expect(m.onnxPath).toBe(path.join(dir, 'hazeless-v1.onnx'));
    }
  });

  test('picks the most recent of several models in a folder', async () => {
    fs.copyFileSync(path.join(dir, 'hazeless-v1.onnx'), path.join(dir, 'hazeless-v2.onnx'));
    fs.writeFileSync(path.join(dir, 'hazeless-v2.json'), JSON.stringify({ ...shipped, id: 'hazeless-v2', file: 'hazeless-v2.onnx' }));
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(dir, 'hazeless-v1.json'), old, old);
    expect((await findModel(dir)).manifest.id).toBe('hazeless-v2');
    fs.rmSync(path.join(dir, 'hazeless-v2.json'));
    fs.rmSync(path.join(dir, 'hazeless-v2.onnx'));
  });

  test('explains what is wrong with a bad model', async () => {
    const missingWeights = path.join(dir, 'orphan.json');
    fs.writeFileSync(missingWeights, JSON.stringify({ ...shipped, file: 'orphan.onnx' }));
    await expect(findModel(missingWeights)).rejects.toThrow(/orphan\.onnx.*not found/);

    const invalid = path.join(dir, 'invalid.json');
    fs.writeFileSync(invalid, JSON.stringify({ ...shipped, input: { ...(shipped.input as object), resample: 'bicubic' } }));
    await expect(findModel(invalid)).rejects.toThrow(/invalid model manifest .*resample/);

    await expect(findModel(path.join(dir, 'nope.json'))).rejects.toBeInstanceOf(ModelFileError);
    const empty = makeTempDir('no-models');
    await expect(findModel(empty)).rejects.toThrow(/no usable model/);
    fs.rmSync(empty, { recursive: true });
  });
});
