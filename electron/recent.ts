// Recently opened album folders, most recent first. The list lives in main's userData, never in
// the renderer: reopening a recent album re-grants only folders that are in this list. Only
// folders the user opened in main's folder dialog go in (never a dropped one), and each entry
// records that: an entry without the record is not shown and not re-granted.

import path from 'node:path';
import type { RecentAlbum } from '../common/contract';
import { JsonFile } from './json-file';

export const MAX_RECENT = 12;

/**
 * Stored with every entry. The value never varies (main's folder dialog is the only way into the
 * list), so its one job is to mark the file format: entries without it are in a format that also
 * listed dropped folders, never confirmed in the dialog, and parseRecent drops them rather than
 * re-grant them.
 */
const GRANTED_BY = 'folder-dialog';

type StoredRecent = RecentAlbum & { grantedBy: typeof GRANTED_BY };

function parseRecent(raw: unknown): RecentAlbum[] {
  if (!Array.isArray(raw)) return [];
  const out: RecentAlbum[] = [];
  for (const r of raw as unknown[]) {
    if (typeof r !== 'object' || r === null) continue;
    const { folder, recursive, openedAt, grantedBy } = r as Record<string, unknown>;
    if (
      typeof folder === 'string' &&
      path.isAbsolute(folder) &&
      typeof recursive === 'boolean' &&
      typeof openedAt === 'number' &&
      grantedBy === GRANTED_BY
    ) {
      out.push({ folder, recursive, openedAt });
    }
  }
  return out.slice(0, MAX_RECENT);
}

export class RecentAlbums {
  private readonly file: JsonFile<StoredRecent[]>;
  private list: RecentAlbum[] | null = null;

  constructor(userDataDir: string, private readonly now: () => number = Date.now) {
    this.file = new JsonFile(path.join(userDataDir, 'recent-albums.json'));
  }

  async get(): Promise<RecentAlbum[]> {
    this.list ??= parseRecent(await this.file.read());
    return this.list.map((r) => ({ ...r }));
  }

  async find(folder: string): Promise<RecentAlbum | undefined> {
    return (await this.get()).find((r) => r.folder === folder);
  }

  /** Records an album the user opened in main's folder dialog (or reopened from this list). */
  async addOpenedInDialog(folder: string, recursive: boolean): Promise<RecentAlbum[]> {
    const current = await this.get();
    const next = [{ folder, recursive, openedAt: this.now() }, ...current.filter((r) => r.folder !== folder)].slice(0, MAX_RECENT);
    this.list = next;
    await this.save();
    return this.get();
  }

  async remove(folder: string): Promise<RecentAlbum[]> {
    this.list = (await this.get()).filter((r) => r.folder !== folder);
    await this.save();
    return this.get();
  }

  private save(): Promise<void> {
    return this.file.write((this.list ?? []).map((r) => ({ ...r, grantedBy: GRANTED_BY })));
  }

  async clear(): Promise<RecentAlbum[]> {
    this.list = [];
    await this.save();
    return [];
  }
}
