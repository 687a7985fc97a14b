import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseManifest } from '../engine/manifest';
import type { ModelManifest } from '../engine/types';

/** The models/ folder of this checkout (packaged apps pass their own folder instead). */
export const DEFAULT_MODELS_DIR = fileURLToPath(new URL('../models/', import.meta.url));

export interface ModelFiles {
  manifestPath: string;
  onnxPath: string;
  manifest: ModelManifest;
}

/** A model that cannot be used; the message says which file and why. */
export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/**
 * Finds a model: `model` may be a manifest (.json), its .onnx, or a folder; without it, the
 * only (or most recently exported) valid model in `modelsDir`.
 */
export async function findModel(model?: string, modelsDir: string = DEFAULT_MODELS_DIR): Promise<ModelFiles> {
  if (model === undefined) return newestModelIn(modelsDir);
  const st = await fs.stat(model).catch(() => null);
  if (!st) throw new ModelFileError(`model not found: ${model}`);
  if (st.isDirectory()) return newestModelIn(model);
  const manifestPath = model.toLowerCase().endsWith('.onnx') ? model.slice(0, -'.onnx'.length) + '.json' : model;
  return loadModelFiles(manifestPath);
}

/** Reads and validates `<id>.json` and checks that the .onnx it names is there. */
export async function loadModelFiles(manifestPath: string): Promise<ModelFiles> {
  let text: string;
  try {
    text = await fs.readFile(manifestPath, 'utf8');
  } catch (e) {
    throw new ModelFileError(`cannot read model manifest ${manifestPath}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which may be anything (a photo's bytes).
    throw new ModelFileError(`not a model manifest (a .json file exported with the model): ${manifestPath}`);
  }
  let manifest: ModelManifest;
  try {
    manifest = parseManifest(json);
  } catch (e) {
    throw new ModelFileError(`invalid model manifest ${manifestPath}: ${(e as Error).message}`);
  }
  const onnxPath = path.resolve(path.dirname(manifestPath), manifest.file);
  const onnx = await fs.stat(onnxPath).catch(() => null);
  if (!onnx?.isFile()) throw new ModelFileError(`model weights ${onnxPath} (named by ${manifestPath}) not found`);
  return { manifestPath: path.resolve(manifestPath), onnxPath, manifest };
}

async function newestModelIn(dir: string): Promise<ModelFiles> {
  const names = await fs.readdir(dir).catch(() => {
    throw new ModelFileError(`model folder not found: ${dir}`);
  });
  const found: { files: ModelFiles; mtime: number }[] = [];
  const problems: string[] = [];
  for (const name of names.filter((n) => n.toLowerCase().endsWith('.json'))) {
    const manifestPath = path.join(dir, name);
    try {
      const files = await loadModelFiles(manifestPath);
      found.push({ files, mtime: (await fs.stat(manifestPath)).mtimeMs });
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  if (found.length === 0) {
    throw new ModelFileError(`no usable model in ${dir}${problems.length ? `: ${problems.join('; ')}` : ''}`);
  }
  found.sort((a, b) => b.mtime - a.mtime);
  return found[0].files;
}
