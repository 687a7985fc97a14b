// Where the model lives: `<resources>/models` in the packaged app (electron-builder
// extraResources), `<repo>/models` in development. The files themselves are read and validated
// by node/model-files.ts.

import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { findModel, ModelFileError, type ModelFiles } from '../node/model-files';
import type { ModelBundle } from '../common/contract';

export interface AppLocation {
  isPackaged: boolean;
  /** process.resourcesPath in Electron. */
  resourcesPath: string;
  /** app.getAppPath(): the repo root in development. */
  appPath: string;
}

export function modelDirCandidates(loc: AppLocation): string[] {
  return loc.isPackaged
    ? [path.join(loc.resourcesPath, 'models')]
    : [path.join(loc.appPath, 'models'), path.resolve('models')];
}

/** The first candidate folder that holds a usable model. */
export async function locateModel(loc: AppLocation): Promise<ModelFiles> {
  const problems: string[] = [];
  for (const dir of modelDirCandidates(loc)) {
    if (!(await stat(dir).catch(() => null))?.isDirectory()) {
      problems.push(`${dir}: missing`);
      continue;
    }
    try {
      return await findModel(undefined, dir);
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  throw new ModelFileError(`no model found (${problems.join('; ')})`);
}

/** What the renderer needs to run the model with onnxruntime-web. */
export async function readModelBundle(files: ModelFiles): Promise<ModelBundle> {
  const [json, onnx] = await Promise.all([readFile(files.manifestPath, 'utf8'), readFile(files.onnxPath)]);
  return { manifest: JSON.parse(json) as unknown, onnx: new Uint8Array(onnx.buffer, onnx.byteOffset, onnx.byteLength) };
}
