// Main only touches paths the user handed over: files picked in a dialog or dropped, and folder
// roots picked/dropped (everything beneath them). Checks run on real paths (symlinks resolved),
// so `..` segments and symlinks that lead out of a granted root are refused.

import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';

export class PathRefusedError extends Error {
  override readonly name = 'PathRefusedError';
  constructor(readonly requested: string, why: string) {
    super(`Refused path ${JSON.stringify(requested)}: ${why}`);
  }
}

export type PathKind = 'file' | 'folder';

const caseInsensitive = process.platform === 'win32' || process.platform === 'darwin';

function key(p: string): string {
  return caseInsensitive ? p.toLowerCase() : p;
}

/** True when `child` equals `root` or lies beneath it (both absolute, normalised). */
export function isWithin(root: string, child: string): boolean {
  const rel = path.relative(key(root), key(child));
  return rel === '' || (!path.isAbsolute(rel) && rel.split(path.sep)[0] !== '..');
}

function syntacticCheck(requested: unknown): string {
  if (typeof requested !== 'string' || requested.length === 0) throw new PathRefusedError(String(requested), 'not a path');
  if (requested.includes('\0')) throw new PathRefusedError(requested, 'contains NUL');
  if (!path.isAbsolute(requested)) throw new PathRefusedError(requested, 'not absolute');
  return path.resolve(requested);
}

export class PathGuard {
  // Real paths decide; the paths as granted ("aliases", which may run through symlinks such as
  // /home -> /usr/home) only let a request through the cheap lexical pre-check.
  private readonly files = new Set<string>();
  private readonly folders = new Set<string>();
  private readonly aliases = new Set<string>();

  /** Grants an existing file or folder (kind detected); returns its real path. */
  async grant(p: string): Promise<{ kind: PathKind; real: string }> {
    const resolved = syntacticCheck(p);
    const real = await realpath(resolved);
    const info = await stat(real);
    let kind: PathKind;
    if (info.isDirectory()) kind = 'folder';
    else if (info.isFile()) kind = 'file';
    else throw new PathRefusedError(p, 'neither a file nor a folder');
    (kind === 'folder' ? this.folders : this.files).add(real);
    if (resolved !== real) this.aliases.add(resolved);
    return { kind, real };
  }

  grantedFolders(): string[] {
    return [...this.folders];
  }

  /**
   * Resolves `requested` and returns its real path if it is a granted file or lies inside a
   * granted folder, and is of the expected kind. Throws PathRefusedError otherwise (including
   * when it does not exist: we never confirm the existence of paths outside the grants).
   */
  async check(requested: unknown, kind: PathKind): Promise<string> {
    const resolved = syntacticCheck(requested);
    // Refuse lexically first so nothing outside the grants is even stat'ed.
    if (!this.realAllowed(resolved) && !this.aliasAllowed(resolved)) {
      throw new PathRefusedError(resolved, 'outside what the user opened');
    }
    let real: string;
    try {
      real = await realpath(resolved);
    } catch {
      throw new PathRefusedError(resolved, 'does not exist');
    }
    if (!this.realAllowed(real)) throw new PathRefusedError(resolved, 'leads outside what the user opened');
    const info = await stat(real);
    if (kind === 'file' && !info.isFile()) throw new PathRefusedError(resolved, 'not a file');
    if (kind === 'folder' && !info.isDirectory()) throw new PathRefusedError(resolved, 'not a folder');
    return real;
  }

  /** Boolean form of `check` for callers that only filter. */
  async allows(requested: unknown, kind: PathKind): Promise<boolean> {
    try {
      await this.check(requested, kind);
      return true;
    } catch (e) {
      if (e instanceof PathRefusedError) return false;
      throw e;
    }
  }

  private realAllowed(real: string): boolean {
    if (this.files.has(real)) return true;
    for (const root of this.folders) if (isWithin(root, real)) return true;
    return false;
  }

  private aliasAllowed(resolved: string): boolean {
    for (const alias of this.aliases) if (isWithin(alias, resolved)) return true;
    return false;
  }
}
