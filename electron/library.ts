// Lists the photos of an album folder. Reads only file headers (sharp metadata), so listing a
// few thousand photos stays fast; files whose header cannot be parsed are listed with the reason.

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { hasImageExtension } from '../common/formats/index';
import { readPhotoHeader } from '../node/photo-header';
import type { AlbumEntry } from '../common/contract';

/** Written into folders that an export created, so albums never list our own outputs. */
export const OUTPUT_MARKER = '.hazeless-output';

export interface ScanOptions {
  recursive: boolean;
  signal?: AbortSignal;
  /** Stop after this many photos (protects against scanning a whole disk by mistake). */
  maxFiles?: number;
  maxDepth?: number;
}

export function isSupportedImageName(name: string): boolean {
  return !name.startsWith('.') && hasImageExtension(name);
}

/** True when the file's content is a format Hazeless reads (as the decoder recognises it), whatever its name says. */
export async function hasImageSignature(file: string): Promise<boolean> {
  return readPhotoHeader(file).then(
    (header) => header.format !== null,
    () => false,
  );
}

const collator = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

async function isOurOutputFolder(dir: string): Promise<boolean> {
  try {
    return (await stat(path.join(dir, OUTPUT_MARKER))).isFile();
  } catch {
    return false;
  }
}

/** Absolute paths of supported images under `root`, in natural order of their relative path. */
export async function findImages(root: string, options: ScanOptions): Promise<string[]> {
  const { recursive, signal, maxFiles = 50_000, maxDepth = 32 } = options;
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    signal?.throwIfAborted();
    // Directory entries are not followed through symlinks: a link could loop or leave the album.
    const entries = await readdir(dir, { withFileTypes: true });
    for (const entry of entries) {
      if (found.length >= maxFiles) return;
      if (entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isFile() && isSupportedImageName(entry.name)) found.push(full);
      else if (recursive && entry.isDirectory() && depth < maxDepth && !(await isOurOutputFolder(full))) {
        await walk(full, depth + 1);
      }
    }
  };
  await walk(root, 0);
  found.sort((a, b) => collator.compare(path.relative(root, a), path.relative(root, b)));
  return found;
}

/** Size, mtime and (when the header parses) oriented pixel size of one photo. */
export async function describeImage(file: string, root: string): Promise<AlbumEntry> {
  const name = path.basename(file);
  const relativePath = path.relative(root, file) || name;
  let size = 0;
  let mtimeMs = 0;
  try {
    const info = await stat(file);
    size = info.size;
    mtimeMs = info.mtimeMs;
    const meta = await sharp(file).metadata();
    const width = meta.autoOrient?.width ?? meta.width;
    const height = meta.autoOrient?.height ?? meta.height;
    if (!width || !height) throw new Error('no image size in header');
    return { path: file, name, relativePath, size, mtimeMs, readable: true, width, height };
  } catch (e) {
    return { path: file, name, relativePath, size, mtimeMs, readable: false, error: describeError(e) };
  }
}

export function describeError(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return message.split('\n')[0].slice(0, 500);
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>, signal?: AbortSignal): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const runner = async (): Promise<void> => {
    while (next < items.length) {
      signal?.throwIfAborted();
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, runner));
  return out;
}

export async function scanAlbum(root: string, options: ScanOptions): Promise<AlbumEntry[]> {
  const files = await findImages(root, options);
  return mapLimited(files, 4, (f) => describeImage(f, root), options.signal);
}

/** Describes individually granted files (opened or dropped), relative to their own folder. */
export async function describeFiles(files: string[], signal?: AbortSignal): Promise<AlbumEntry[]> {
  return mapLimited(files, 4, (f) => describeImage(f, path.dirname(f)), signal);
}
