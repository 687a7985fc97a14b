import path from 'node:path';
import { extensionFor, type ImageFormat } from '../common/formats/index';
import { DEFAULT_OUT_FOLDER, type InputFile } from './discover';

export interface OutputNaming {
  /** --out; when absent, a "dehazed" folder beside each input. */
  out?: string;
  suffix: string;
}

/** Where the dehazed version of `input` goes: <folder>/<name><suffix>.<ext of format>. */
export function outputPathFor(input: InputFile, format: ImageFormat, naming: OutputNaming): string {
  const dir = naming.out ? path.join(path.resolve(naming.out), input.relDir) : path.join(path.dirname(path.resolve(input.path)), DEFAULT_OUT_FOLDER);
  const name = path.basename(input.path, path.extname(input.path)) + naming.suffix + extensionFor(format, input.path);
  return path.join(dir, name);
}
