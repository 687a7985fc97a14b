// What each IPC request does, with every path checked against the path guard. The Electron
// specifics (dialogs, shell, the window) come in through `NativeShell`, so this whole layer runs
// and is tested in plain Node; main.ts only registers these functions with ipcMain.

import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { AlbumListing, InvokeName, ModelBundle, RequestOf, ResponseOf } from './contract';
import type { ExportQueue } from './export-jobs';
import { describeFiles, scanAlbum } from './library';
import { PathGuard, PathRefusedError } from './path-guard';
import { readPreview, readThumbnail } from './photo-reader';
import type { RecentAlbums } from './recent';
import type { AdjustmentsStore, SettingsStore } from './settings-store';
import { validateRequest } from './validate';

/** The operating-system side, implemented with Electron's dialog/shell/BrowserWindow in main. */
export interface NativeShell {
  pickPhotos(): Promise<string[] | null>;
  pickFolder(title: string, defaultPath: string | null): Promise<string | null>;
  openFolder(folder: string): Promise<boolean>;
  setProgress(progress: number | null): void;
}

export interface MainServices {
  guard: PathGuard;
  settings: SettingsStore;
  adjustments: AdjustmentsStore;
  recent: RecentAlbums;
  exports: ExportQueue;
  loadModel: () => Promise<ModelBundle>;
  native: NativeShell;
}

export type IpcHandlers = { [N in InvokeName]: (request: RequestOf<N>) => Promise<ResponseOf<N>> };

/**
 * Output folders may not exist yet ("<album>/Dehazed"): allowed when the nearest existing
 * ancestor is granted. Returns the real path the export will write into, created if needed.
 */
export async function checkOutputFolder(guard: PathGuard, requested: string): Promise<string> {
  const resolved = path.resolve(requested);
  if (!path.isAbsolute(requested)) throw new PathRefusedError(requested, 'not absolute');
  let existing = resolved;
  const missing: string[] = [];
  for (;;) {
    try {
      await stat(existing);
      break;
    } catch {
      const parent = path.dirname(existing);
      if (parent === existing) throw new PathRefusedError(requested, 'no existing parent');
      missing.unshift(path.basename(existing));
      existing = parent;
    }
  }
  const realBase = await guard.check(existing, 'folder');
  if (missing.length === 0) return realBase;
  if (missing.some((m) => m === '..' || m === '.' || m.startsWith('.'))) throw new PathRefusedError(requested, 'bad folder name');
  return path.join(realBase, ...missing);
}

async function listGranted(services: MainServices, folder: string, recursive: boolean): Promise<AlbumListing> {
  const real = await services.guard.check(folder, 'folder');
  const files = await scanAlbum(real, { recursive });
  return { folder: real, recursive, files };
}

export function createIpcHandlers(services: MainServices): IpcHandlers {
  const { guard, native } = services;

  const openAlbum = async (folder: string, recursive: boolean): Promise<AlbumListing> => {
    const listing = await listGranted(services, folder, recursive);
    await services.recent.add(listing.folder, recursive);
    return listing;
  };

  return {
    async openPhotosDialog() {
      const picked = await native.pickPhotos();
      if (!picked || picked.length === 0) return null;
      const granted: string[] = [];
      for (const p of picked) {
        const g = await guard.grant(p);
        if (g.kind === 'file') granted.push(g.real);
      }
      return granted;
    },

    async openFolderDialog({ recursive }) {
      const picked = await native.pickFolder('Open album folder', null);
      if (!picked) return null;
      const g = await guard.grant(picked);
      if (g.kind !== 'folder') return null;
      return openAlbum(g.real, recursive);
    },

    async listAlbum({ folder, recursive }) {
      // Dropped folders and refreshes land here too; all of them count as "recently opened".
      return openAlbum(folder, recursive);
    },

    async describeFiles({ paths }) {
      const real: string[] = [];
      for (const p of paths) real.push(await guard.check(p, 'file'));
      return describeFiles(real);
    },

    async getRecentAlbums() {
      return services.recent.get();
    },

    async openRecentAlbum({ folder }) {
      const entry = await services.recent.find(folder);
      if (!entry) throw new PathRefusedError(folder, 'not a recent album');
      const g = await guard.grant(entry.folder);
      if (g.kind !== 'folder') throw new PathRefusedError(folder, 'not a folder');
      return openAlbum(g.real, entry.recursive);
    },

    async clearRecentAlbums() {
      return services.recent.clear();
    },

    async readPreview({ path: p, maxSide }) {
      return readPreview(await guard.check(p, 'file'), maxSide);
    },

    async readThumbnail({ path: p, size }) {
      return readThumbnail(await guard.check(p, 'file'), size);
    },

    async loadModel() {
      return services.loadModel();
    },

    async chooseOutputFolder({ defaultPath }) {
      // The default only seeds the dialog, and only when it is already allowed.
      const seed = defaultPath && (await guard.allows(defaultPath, 'folder')) ? defaultPath : null;
      const picked = await native.pickFolder('Choose export folder', seed);
      if (!picked) return null;
      const g = await guard.grant(picked);
      return g.kind === 'folder' ? g.real : null;
    },

    async startExport({ items, options }) {
      const checkedItems = [];
      for (const item of items) checkedItems.push({ ...item, path: await guard.check(item.path, 'file') });
      const outFolder = await checkOutputFolder(guard, options.outFolder);
      const jobId = services.exports.start({ items: checkedItems, options: { ...options, outFolder } });
      return { jobId };
    },

    async cancelExport({ jobId }) {
      return { cancelled: services.exports.cancel(jobId) };
    },

    async openInFileManager({ path: p }) {
      return native.openFolder(await guard.check(p, 'folder'));
    },

    async getSettings() {
      return services.settings.get();
    },

    async setSettings(patch) {
      // A remembered export folder must be one the user chose: it is re-granted at next start.
      const out = patch.export?.outFolder;
      if (out) await checkOutputFolder(guard, out);
      return services.settings.update(patch);
    },

    async getAdjustments({ photos }) {
      return services.adjustments.get(photos);
    },

    async setAdjustments({ photo, adjustments }) {
      await guard.check(photo.path, 'file');
      await services.adjustments.set(photo, adjustments);
      return true;
    },

    async setTaskbarProgress({ progress }) {
      native.setProgress(progress);
      return true;
    },

    async grantDropped({ paths }) {
      const out = { files: [] as string[], folders: [] as string[] };
      for (const p of paths) {
        try {
          const g = await guard.grant(p);
          (g.kind === 'file' ? out.files : out.folders).push(g.real);
        } catch {
          // A dropped item that vanished or is a device/socket is simply not granted.
        }
      }
      return out;
    },
  };
}

/**
 * Validates and runs one request. Anything malformed is rejected before a handler sees it.
 * `senderAllowed` is main's verdict on the calling frame (only the app's own page may call).
 */
export async function dispatch<N extends InvokeName>(
  handlers: IpcHandlers,
  name: N,
  payload: unknown,
  senderAllowed: boolean,
): Promise<ResponseOf<N>> {
  if (!senderAllowed) throw new Error(`IPC ${name}: refused, sender is not the app`);
  const request = validateRequest(name, payload);
  const handler = handlers[name] as (r: RequestOf<N>) => Promise<ResponseOf<N>>;
  return handler(request);
}
