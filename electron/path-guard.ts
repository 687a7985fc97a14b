// Main only touches paths the user handed over. Reading: image files picked in the photo dialog
// or dropped, and album folders (everything beneath them) opened in the folder dialog or dropped
// and confirmed in main's own dialog. Writing: only the folders chosen in main's export dialog,
// each exactly (not what lies beneath). Checks run on real paths (symlinks resolved), so `..`
// segments and symlinks that lead out of a grant are refused. A refusal never says whether the
// path exists: everything outside the grants gets the same answer.

import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { nameKey } from '../node/same-name';
import { hasImageSignature, isSupportedImageName } from './library';

export class PathRefusedError extends Error {
  override readonly name = 'PathRefusedError';
  constructor(readonly requested: string, why: string) {
    super(`Refused path ${JSON.stringify(requested)}: ${why}`);
  }
}

export type PathKind = 'file' | 'folder';

const NOT_GRANTED = 'not among the photos and folders you opened';
const NOT_CHOSEN = 'not an export folder you chose';

/** True when `child` equals `root` or lies beneath it (both absolute, normalised). */
export function isWithin(root: string, child: string): boolean {
  const rel = path.relative(nameKey(root), nameKey(child));
  return rel === '' || (!path.isAbsolute(rel) && rel.split(path.sep)[0] !== '..');
}

function syntacticCheck(requested: unknown): string {
  if (typeof requested !== 'string' || requested.length === 0) throw new PathRefusedError(String(requested), 'not a path');
  if (requested.includes('\0')) throw new PathRefusedError(requested, 'contains NUL');
  if (!path.isAbsolute(requested)) throw new PathRefusedError(requested, 'not absolute');
  return path.resolve(requested);
}

async function realOrNull(p: string): Promise<string | null> {
  try {
    return await realpath(p);
  } catch {
    return null;
  }
}

export class PathGuard {
  // Real paths decide; the paths as granted ("aliases", which may run through symlinks such as
  // /home -> /usr/home) only let a request through the cheap lexical pre-check.
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();
  private readonly outputs = new Set<string>();
  private readonly aliases = new Set<string>();
  private readonly outputAliases = new Set<string>();

  /**
   * Grants one photo for reading: a regular file with a photo extension (judged on its real path).
   * A file picked in main's photo dialog is what the user chose, symlinks followed, and an
   * unreadable one is shown with its error. A dropped path may be forged by the page: it must be
   * the file itself (not a symlink), with content the decoder recognises as a format we read.
   */
  async grantImage(p: string, source: 'dialog' | 'drop'): Promise<string> {
    const resolved = syntacticCheck(p);
    if (source === 'drop' && !(await lstat(resolved)).isFile()) throw new PathRefusedError(p, 'not a file');
    const real = await realpath(resolved);
    if (!(await stat(real)).isFile()) throw new PathRefusedError(p, 'not a file');
    if (!isSupportedImageName(path.basename(real))) throw new PathRefusedError(p, 'not a photo');
    if (source === 'drop' && !(await hasImageSignature(real))) throw new PathRefusedError(p, 'not a photo');
    this.files.add(real);
    if (resolved !== real) this.aliases.add(resolved);
    return real;
  }

  /** Grants a folder and everything beneath it for reading; returns its real path. */
  async grantFolder(p: string): Promise<string> {
    const { resolved, real } = await this.realFolder(p);
    this.folders.add(real);
    if (resolved !== real) this.aliases.add(resolved);
    return real;
  }

  /** Grants writing into exactly this folder (chosen in main's export dialog). */
  async grantOutput(p: string): Promise<string> {
    const { resolved, real } = await this.realFolder(p);
    this.outputs.add(real);
    if (resolved !== real) this.outputAliases.add(resolved);
    return real;
  }

  /** A real path that `grantFolder` returned (an album root), as opposed to a folder inside one. */
  isAlbumRoot(real: string): boolean {
    return this.folders.has(real);
  }

  /**
   * Resolves `requested` and returns its real path if it is a granted image file, or an image
   * file or folder inside a granted folder, of the expected kind. Throws PathRefusedError
   * otherwise, with the same reason whether or not the path exists.
   */
  async check(requested: unknown, kind: PathKind): Promise<string> {
    const resolved = syntacticCheck(requested);
    // Refuse lexically first so nothing outside the grants is even stat'ed.
    if (!this.readAllowed(resolved) && !this.under(this.aliases, resolved)) throw new PathRefusedError(resolved, NOT_GRANTED);
    const real = await realOrNull(resolved);
    if (real === null || !this.readAllowed(real)) throw new PathRefusedError(resolved, NOT_GRANTED);
    const info = await stat(real);
    if (kind === 'file' && !info.isFile()) throw new PathRefusedError(resolved, 'not a file');
    if (kind === 'file' && !this.files.has(real) && !isSupportedImageName(path.basename(real))) throw new PathRefusedError(resolved, 'not a photo');
    if (kind === 'folder' && !info.isDirectory()) throw new PathRefusedError(resolved, 'not a folder');
    return real;
  }

  /** The real path of a folder chosen in main's export dialog; refused alike for anything else. */
  async checkOutput(requested: unknown): Promise<string> {
    const resolved = syntacticCheck(requested);
    const named = (set: Set<string>): boolean => [...set].some((p) => nameKey(p) === nameKey(resolved));
    if (!named(this.outputs) && !named(this.outputAliases)) throw new PathRefusedError(resolved, NOT_CHOSEN);
    const real = await realOrNull(resolved);
    if (real === null || !this.outputs.has(real) || !(await stat(real)).isDirectory()) throw new PathRefusedError(resolved, NOT_CHOSEN);
    return real;
  }

  /** Boolean form of `check` (or of `checkOutput`, for kind 'output') for callers that only filter. */
  async allows(requested: unknown, kind: PathKind | 'output'): Promise<boolean> {
    try {
      await (kind === 'output' ? this.checkOutput(requested) : this.check(requested, kind));
      return true;
    } catch (e) {
      if (e instanceof PathRefusedError) return false;
      throw e;
    }
  }

  private async realFolder(p: string): Promise<{ resolved: string; real: string }> {
    const resolved = syntacticCheck(p);
    const real = await realpath(resolved);
    if (!(await stat(real)).isDirectory()) throw new PathRefusedError(p, 'not a folder');
    return { resolved, real };
  }

  private readAllowed(real: string): boolean {
    return this.files.has(real) || this.under(this.folders, real);
  }

  private under(roots: Set<string>, p: string): boolean {
    for (const root of roots) if (isWithin(root, p)) return true;
    return false;
  }
}
