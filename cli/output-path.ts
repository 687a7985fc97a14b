import fs from 'node:fs/promises';
import path from 'node:path';
import { nameKey } from '../node/same-name';
import type { InputFile } from './discover';
import { DEFAULT_OUT_FOLDER } from './folder-walk';

/**
 * The folder the dehazed version of `input` goes to: --out (`out`), keeping the subfolder the
 * input was found in, or a "dehazed" folder beside the input. Its file name is common/export-naming.ts's.
 */
export function outputFolderFor(input: InputFile, out: string | undefined): string {
  return out ? path.join(path.resolve(out), input.relDir) : path.join(path.dirname(path.resolve(input.path)), DEFAULT_OUT_FOLDER);
}

/** The names in `folder` as the file system compares them (node/same-name.ts); none if it does not exist yet. */
export async function namesIn(folder: string): Promise<Set<string>> {
  const names = await fs.readdir(folder).catch(() => [] as string[]);
  return new Set(names.map((n) => nameKey(n)));
}
