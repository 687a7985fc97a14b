import fs from 'node:fs/promises';
import path from 'node:path';
import { isHazelessOutput } from '../node/hazeless-mark';
import { isPhotoName, isWalkedFolder } from './folder-walk';

export interface InputFile {
  path: string;
  /** Folder below the folder argument it was found in ('' for files given directly): kept under --out. */
  relDir: string;
}

/** An argument that could not be used, reported like a failed file. */
export interface InputProblem {
  path: string;
  reason: string;
}

export interface DiscoverOptions {
  recursive: boolean;
  /** The --out folder, never scanned for inputs. */
  outDir?: string;
}

export interface Discovered {
  files: InputFile[];
  problems: InputProblem[];
  /** Files Hazeless wrote (node/hazeless-mark.ts): never inputs, so left out. */
  outputs: string[];
}

/**
 * Expands the command-line inputs: files as given (their content is checked when decoding),
 * folders to the photos in them (by extension, hidden files skipped), subfolders with
 * `recursive`, except our own output folders ("dehazed" ones and --out). Duplicates (same real
 * file) are dropped, and so are files Hazeless wrote itself, wherever they are.
 */
export async function discoverInputs(args: string[], opts: DiscoverOptions): Promise<Discovered> {
  const files: InputFile[] = [];
  const problems: InputProblem[] = [];
  const outputs: string[] = [];
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();
  const outReal = opts.outDir ? await realOrNull(opts.outDir) : null;

  // Every file found, in order; which are the same file and which Hazeless wrote is read after.
  const found: InputFile[] = [];
  const addFile = (file: string, relDir: string): void => {
    found.push({ path: file, relDir });
  };

  const walk = async (dir: string, relDir: string): Promise<void> => {
    const real = await realOrNull(dir);
    if (real === null || seenDirs.has(real)) return; // symlink loops, the same folder twice
    seenDirs.add(real);
    let entries: import('node:fs').Dirent[];
    try {
      entries = await fs.readdir(dir, { withFileTypes: true });
    } catch (e) {
      problems.push({ path: dir, reason: describeFsError(e) });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const full = path.join(dir, entry.name);
      const st = entry.isSymbolicLink() ? await fs.stat(full).catch(() => null) : entry;
      if (!st) continue;
      if (st.isDirectory()) {
        if (entry.isSymbolicLink()) linkedFolders.push([full, path.join(relDir, entry.name)]);
        else subdirs.push(entry.name);
      } else if (st.isFile() && isPhotoName(entry.name)) addFile(full, relDir);
    }
    if (!opts.recursive) return;
    for (const name of subdirs) await walkSub(path.join(dir, name), path.join(relDir, name));
  };
  const walkSub = async (full: string, relDir: string): Promise<void> => {
    // Our output folders (isWalkedFolder), and --out: a previous run may have left them.
    if (!isWalkedFolder(path.basename(full))) return;
    if (outReal !== null && (await realOrNull(full)) === outReal) return;
    await walk(full, relDir);
  };
  // Links to folders are walked once every folder itself has been: a folder reached both ways is
  // walked under its own name (its photos' outputs go to a subfolder named after it), and the
  // link is the duplicate, wherever in the tree either sits.
  const linkedFolders: [string, string][] = [];

  for (const arg of args) {
    const st = await fs.stat(arg).catch((e: unknown) => e as Error);
    if (st instanceof Error) problems.push({ path: arg, reason: describeFsError(st) });
    else if (st.isDirectory()) await walk(arg, '');
    else addFile(arg, '');
  }
  if (opts.recursive) for (let i = 0; i < linkedFolders.length; i++) await walkSub(...linkedFolders[i]);

  // Several files at a time (each is a header to read): a big folder takes a fraction of the time.
  const reals = await mapAtMost(found, READ_AT_ONCE, async (f) => (await realOrNull(f.path)) ?? path.resolve(f.path));
  const unique: InputFile[] = [];
  found.forEach((f, i) => {
    if (seenFiles.has(reals[i])) return;
    seenFiles.add(reals[i]);
    unique.push(f);
  });
  const written = await mapAtMost(unique, READ_AT_ONCE, (f) => isHazelessOutput(f.path));
  unique.forEach((f, i) => {
    if (written[i]) outputs.push(f.path);
    else files.push(f);
  });
  return { files, problems, outputs };
}

/** Files read at once while looking for inputs. */
const READ_AT_ONCE = 8;

/** fn over items, at most `limit` at a time; the results in the items' order. */
async function mapAtMost<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      results[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

async function realOrNull(p: string): Promise<string | null> {
  try {
    return await fs.realpath(p);
  } catch {
    return null;
  }
}

export function describeFsError(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or folder';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'is a folder';
    default:
      return e instanceof Error ? e.message : String(e);
  }
}
