import { randomBytes } from 'node:crypto';
import { constants as fsConstants, existsSync, unlinkSync } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { throwIfAborted } from '../engine/abort';
import { isHazelessOutput, isHazelessWork } from './hazeless-mark';

/** The destination already exists and overwriting was not asked for. */
export class OutputExistsError extends Error {
  constructor(readonly output: string) {
    super(`${output} already exists (use overwrite to replace it)`);
    this.name = 'OutputExistsError';
  }
}

/** The destination is one of the input files (same path, link or inode): refused. */
export class InputCollisionError extends Error {
  constructor(
    readonly output: string,
    readonly input: string,
  ) {
    super(`refusing to write ${output}: it is the input file ${input}`);
    this.name = 'InputCollisionError';
  }
}

/**
 * The destination exists and Hazeless did not write it (node/hazeless-mark.ts): never replaced,
 * whatever the overwrite setting.
 */
export class ForeignFileError extends Error {
  constructor(readonly output: string) {
    super(`${output} exists and was not written by Hazeless; it is never replaced`);
    this.name = 'ForeignFileError';
  }
}

/** The destination's folder (or the nearest existing one above it) cannot be written to. */
export class FolderNotWritableError extends Error {
  constructor(
    readonly folder: string,
    readonly reason: string,
  ) {
    super(`cannot write to the folder ${folder}: ${reason}`);
    this.name = 'FolderNotWritableError';
  }
}

/**
 * How long a file name may be: 255 bytes of UTF-8 on Linux's file systems (ext4), 255 UTF-16
 * units on Windows' and macOS's (NTFS, exFAT, HFS+; APFS counts characters), as nameLength
 * measures it. A file system stricter than this still refuses the name when it is written, and
 * writeAtomically says so in the same words.
 */
const NAME_MAX = 255;
const UTF16_NAMES = process.platform === 'win32' || process.platform === 'darwin';

/** A name's length as the platform's file systems count it (NAME_MAX), and in what. */
function nameLength(name: string): number {
  return UTF16_NAMES ? name.length : Buffer.byteLength(name);
}
const NAME_UNIT = UTF16_NAMES ? 'characters' : 'bytes';

/** The destination's name is longer than file systems take (NAME_MAX). */
export class NameTooLongError extends Error {
  constructor(readonly output: string) {
    super(`the output's name is too long for the file system (${nameLength(path.basename(output))} ${NAME_UNIT}, at most ${NAME_MAX})`);
    this.name = 'NameTooLongError';
  }
}

interface FileIdentity {
  path: string;
  real: string;
  dev: number;
  ino: number;
}

/**
 * Files that must never be written over (the inputs of a batch). Compared by resolved real path
 * and by device + inode, so symlinks, hard links, `..` detours and case-insensitive file systems
 * cannot sneak an output onto an input.
 */
export class ProtectedFiles {
  private readonly files: FileIdentity[] = [];

  static async of(paths: Iterable<string>): Promise<ProtectedFiles> {
    const p = new ProtectedFiles();
    for (const f of paths) await p.add(f);
    return p;
  }

  async add(file: string): Promise<void> {
    try {
      const st = await fs.stat(file);
      this.files.push({ path: file, real: await fs.realpath(file), dev: st.dev, ino: st.ino });
    } catch {
      // A file that does not exist cannot be overwritten; the read will report it.
    }
  }

  /** The protected file that `dest` would replace, if any. */
  async collision(dest: string): Promise<string | undefined> {
    const st = await statOrNull(dest);
    const real = st ? await fs.realpath(dest) : path.join(await realDir(path.dirname(path.resolve(dest))), path.basename(dest));
    for (const f of this.files) {
      if (f.real === real) return f.path;
      if (st && st.dev === f.dev && st.ino === f.ino) return f.path;
    }
    return undefined;
  }
}

export interface SafeWriteOptions {
  /**
   * Replace an existing destination that Hazeless wrote (node/hazeless-mark.ts); never a
   * protected file, never anyone else's. Default false.
   */
  overwrite?: boolean;
  protect?: ProtectedFiles;
  signal?: AbortSignal;
}

/** Temporary files being written, removed even if the process exits in the middle of a write. */
const pendingTemps = new Set<string>();
let exitHookInstalled = false;

/**
 * Removes `tmp` as the process exits, if it is there then: a temporary file being written (taken
 * off the list once its write ends), or that of a thread that ended mid-write, whose write runs on
 * the process's shared thread pool and may still create or fill it after the thread has gone.
 */
export function removeAtExit(tmp: string): void {
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removePendingTemps);
  }
  pendingTemps.add(tmp);
}

/** `tmp` was renamed or removed by its writer (another thread's): no longer removed at exit. */
export function forgetTemp(tmp: string): void {
  pendingTemps.delete(tmp);
}

/**
 * Removes, now, the temporary files being written (removeAtExit's list): for a process about to
 * end without its exit hooks (killed by a signal it raises itself, cli/main.ts).
 */
export function removePendingTemps(): void {
  for (const t of pendingTemps) {
    try {
      if (existsSync(t)) unlinkSync(t);
    } catch {
      // Best effort while exiting.
    }
  }
}

/**
 * Writes `dest` atomically: `write` fills a temporary file in the same folder, which is fsynced
 * and then renamed (or hard-linked, when overwriting is not allowed, so a file that appeared in
 * the meantime is not replaced either). Readers see the old file or the complete new one, never
 * a partial one; on error or abort the temporary file is removed. The first write into a folder
 * also removes the stale temporary files that killed processes left there (removeStaleTemps).
 */
export async function writeAtomically(dest: string, write: (tmpPath: string) => Promise<void>, opts: SafeWriteOptions = {}): Promise<void> {
  const { overwrite = false, protect, signal } = opts;
  throwIfAborted(signal);
  const dir = path.dirname(path.resolve(dest));
  await assertWritable(dest, overwrite, protect);
  await fs.mkdir(dir, { recursive: true });
  await sweepStaleTemps(dir);

  const tmp = tempPathFor(dest);
  removeAtExit(tmp);
  try {
    await write(tmp);
    throwIfAborted(signal);
    await fsyncFile(tmp);
    throwIfAborted(signal);
    // Again, right before committing: the world may have changed during a long write.
    await assertWritable(dest, overwrite, protect);
    if (overwrite) await fs.rename(tmp, dest);
    else await linkNoClobber(tmp, dest);
    await fsyncDir(dir);
  } catch (e) {
    // A file system stricter about names than NAME_MAX: said as assertWritable says it.
    if ((e as NodeJS.ErrnoException).code === 'ENAMETOOLONG') throw new NameTooLongError(dest);
    throw e;
  } finally {
    pendingTemps.delete(tmp);
    await fs.rm(tmp, { force: true });
  }
}

/**
 * Throws if `dest` may not be written: NameTooLongError, InputCollisionError (an input), FolderNotWritableError,
 * ForeignFileError (a file Hazeless did not write, whatever `overwrite` says) or
 * OutputExistsError (an earlier output, without `overwrite`).
 */
export async function assertWritable(dest: string, overwrite: boolean, protect?: ProtectedFiles): Promise<void> {
  if (nameLength(path.basename(dest)) > NAME_MAX) throw new NameTooLongError(dest);
  const input = await protect?.collision(dest);
  if (input !== undefined) throw new InputCollisionError(dest, input);
  await assertFolderWritable(path.dirname(path.resolve(dest)));
  if (!(await statOrNull(dest, true))) return;
  if (!(await isHazelessOutput(dest))) throw new ForeignFileError(dest);
  if (!overwrite) throw new OutputExistsError(dest);
}

/** The folder, or the nearest existing one above it that would hold it, must be writable. */
async function assertFolderWritable(dir: string): Promise<void> {
  let existing = dir;
  while (!(await statOrNull(existing))) {
    const parent = path.dirname(existing);
    if (parent === existing) break;
    existing = parent;
  }
  try {
    await fs.access(existing, fsConstants.W_OK | fsConstants.X_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new FolderNotWritableError(existing, 'permission denied');
    if (code === 'EROFS') throw new FolderNotWritableError(existing, 'read-only file system');
    throw e;
  }
}

// ---- Temporary files: `.<stem>.<8 hex>.partial<ext>` beside the destination. This is the one
// place that names them; the export queue and the stale-file sweep recognise them by it.

const TEMP_NAME = /^\.(.*)\.[0-9a-f]{8}\.partial(\.[^.]+)?$/;

/**
 * The stem a temporary file for `finalName` takes: the final name's own, shortened (whole
 * characters) where the 18 characters the temporary name adds would take it past NAME_MAX, so
 * that a name that fits as an output fits while it is written too.
 */
function tempStem(finalName: string): string {
  const ext = path.extname(finalName);
  const room = NAME_MAX - nameLength(`..00000000.partial${ext}`);
  const chars = [...path.basename(finalName, ext)];
  while (nameLength(chars.join('')) > room && chars.length > 0) chars.pop();
  return chars.join('');
}

/** A fresh temporary path for writing `dest`: hidden, in the same folder, same extension. */
export function tempPathFor(dest: string): string {
  const ext = path.extname(dest);
  return path.join(path.dirname(path.resolve(dest)), `.${tempStem(path.basename(dest))}.${randomBytes(4).toString('hex')}.partial${ext}`);
}

/** True for the name of one of our temporary files (for `finalName`'s destination, if given). */
export function isTempName(name: string, finalName?: string): boolean {
  const m = TEMP_NAME.exec(name);
  if (!m) return false;
  if (finalName === undefined) return true;
  return m[1] === tempStem(path.basename(finalName)) && (m[2] ?? '') === path.extname(finalName);
}

/**
 * A temporary file untouched for this long belongs to a write that died (a killed process):
 * a live write keeps appending to its file, and renames it within moments of the last byte.
 */
export const STALE_TEMP_MS = 10 * 60_000;

const sweptFolders = new Map<string, Promise<void>>();

/** Removes the stale temporary files in `dir`, once per folder and process. */
function sweepStaleTemps(dir: string): Promise<void> {
  let sweep = sweptFolders.get(dir);
  if (!sweep) {
    sweep = removeStaleTemps(dir).then(() => undefined);
    sweptFolders.set(dir, sweep);
  }
  return sweep;
}

/**
 * Removes our temporary files in `dir` that are stale (see STALE_TEMP_MS); returns their names.
 * A file counts as ours by its name and its content (node/hazeless-mark.ts isHazelessWork), so
 * a user's file that happens to look like one stays.
 */
export async function removeStaleTemps(dir: string, now = Date.now()): Promise<string[]> {
  const names = await fs.readdir(dir).catch(() => [] as string[]);
  const removed: string[] = [];
  for (const name of names) {
    const full = path.join(dir, name);
    if (!isTempName(name) || pendingTemps.has(full)) continue;
    try {
      const st = await fs.lstat(full);
      if (!st.isFile() || now - st.mtimeMs < STALE_TEMP_MS || !(await isHazelessWork(full))) continue;
      await fs.rm(full, { force: true });
      removed.push(name);
    } catch {
      // Gone already, or not ours to remove: the write goes on either way.
    }
  }
  return removed;
}

/** Publishes tmp as dest unless dest exists; tmp itself is removed by the caller. */
async function linkNoClobber(tmp: string, dest: string): Promise<void> {
  try {
    await fs.link(tmp, dest);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new OutputExistsError(dest);
    // File systems without hard links (FAT and exFAT memory cards, some network shares): the
    // name is reserved with an exclusive create, which fails if anything is there, and tmp is
    // renamed over that reservation, so no file that appears meanwhile can be replaced. (A run
    // killed in between leaves the empty reservation, which later runs treat as not theirs.)
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS' || code === 'EXDEV') {
      await renameIntoReservation(tmp, dest);
      return;
    }
    throw e;
  }
}

async function renameIntoReservation(tmp: string, dest: string): Promise<void> {
  let reservation: fs.FileHandle;
  try {
    reservation = await fs.open(dest, 'wx');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new OutputExistsError(dest);
    throw e;
  }
  await reservation.close();
  try {
    await fs.rename(tmp, dest);
  } catch (e) {
    // Take back the reservation, only while it is still the empty file made above.
    const st = await statOrNull(dest, true);
    if (st?.isFile() && st.size === 0) await fs.rm(dest, { force: true });
    throw e;
  }
}

async function fsyncFile(file: string): Promise<void> {
  const h = await fs.open(file, 'r+');
  try {
    await h.sync();
  } finally {
    await h.close();
  }
}

/** Makes the rename itself durable; not possible on every platform (Windows), so best effort. */
async function fsyncDir(dir: string): Promise<void> {
  try {
    const h = await fs.open(dir, 'r');
    try {
      await h.sync();
    } finally {
      await h.close();
    }
  } catch {
    // Ignored: the data itself is already synced.
  }
}

async function statOrNull(file: string, noFollow = false): Promise<import('node:fs').Stats | null> {
  try {
    return noFollow ? await fs.lstat(file) : await fs.stat(file);
  } catch {
    return null;
  }
}

/** Real path of a folder that may not exist yet: resolve the nearest existing ancestor. */
async function realDir(dir: string): Promise<string> {
  try {
    return await fs.realpath(dir);
  } catch {
    const parent = path.dirname(dir);
    if (parent === dir) return dir;
    return path.join(await realDir(parent), path.basename(dir));
  }
}
