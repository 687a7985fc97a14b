// What each IPC request does, with every path checked against the path guard. The Electron
// specifics (dialogs, shell, the window) come in through `NativeShell`, so this whole layer runs
// and is tested in plain Node; main.ts only registers these functions with ipcMain.

import { lstat, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AlbumListing, InvokeName, ModelBundle, RequestOf, ResponseOf } from '../common/contract';
import type { ChosenExportFolders } from './export-folders';
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
  /** Asks the user in main's own dialog whether to open these dropped folders (real paths) as albums. */
  confirmOpenFolders(folders: string[]): Promise<boolean>;
  /** Shows a folder in the OS file manager; main has checked that it is a plain folder the user chose. */
  openFolder(folder: string): Promise<boolean>;
  setProgress(progress: number | null): void;
}

export interface MainServices {
  guard: PathGuard;
  settings: SettingsStore;
  adjustments: AdjustmentsStore;
  recent: RecentAlbums;
  exportFolders: ChosenExportFolders;
  exports: ExportQueue;
  loadModel: () => Promise<ModelBundle>;
  native: NativeShell;
}

export type IpcHandlers = { [N in InvokeName]: (request: RequestOf<N>) => Promise<ResponseOf<N>> };

/**
 * At start: the remembered export folder is writable again if the user chose it in main's
 * dialog and it is still there; otherwise it is forgotten, so the next export asks for a folder.
 */
export async function restoreGrants(services: Pick<MainServices, 'guard' | 'settings' | 'exportFolders'>): Promise<void> {
  const remembered = (await services.settings.get()).export.outFolder;
  if (!remembered) return;
  const restored = (await services.exportFolders.has(remembered)) && (await services.guard.grantOutput(remembered).then(() => true, () => false));
  if (!restored) await services.settings.update({ export: { outFolder: null } });
}

/** A path as a drop produces it: absolute, no "." or ".." segments. */
function isDropPath(p: string): boolean {
  return path.isAbsolute(p) && !p.split(/[\\/]+/).some((s) => s === '.' || s === '..');
}

// Folders the OS shell launches instead of showing: macOS bundles (by extension, or by the
// Contents/Info.plist every bundle has) and Windows shell-namespace folders ("name.{CLSID}").
const BUNDLE_EXTENSIONS = new Set(['.app', '.appex', '.bundle', '.framework', '.kext', '.mpkg', '.pkg', '.plugin', '.prefpane', '.saver', '.workflow', '.xpc']);

async function isLaunchable(folder: string): Promise<boolean> {
  const name = path.basename(folder);
  if (BUNDLE_EXTENSIONS.has(path.extname(name).toLowerCase()) || /\.\{[0-9a-f-]+\}$/i.test(name)) return true;
  return stat(path.join(folder, 'Contents', 'Info.plist')).then(
    () => true,
    () => false,
  );
}

export function createIpcHandlers(services: MainServices): IpcHandlers {
  const { guard, native } = services;
  // Album roots the user opened in main's folder dialog (directly or from the recent list): only
  // these are remembered as recent albums. Dropped folders are readable for this session only.
  const openedInDialog = new Set<string>();

  const listAlbum = async (folder: string, recursive: boolean): Promise<AlbumListing> => {
    const real = await guard.check(folder, 'folder');
    const listing = { folder: real, recursive, files: await scanAlbum(real, { recursive }) };
    if (openedInDialog.has(real)) await services.recent.addOpenedInDialog(real, recursive);
    return listing;
  };

  const openInDialog = async (folder: string, recursive: boolean): Promise<AlbumListing> => {
    const real = await guard.grantFolder(folder);
    openedInDialog.add(real);
    return listAlbum(real, recursive);
  };

  return {
    async openPhotosDialog() {
      const picked = await native.pickPhotos();
      if (!picked || picked.length === 0) return null;
      const granted: string[] = [];
      for (const p of picked) {
        const real = await guard.grantImage(p, 'dialog').catch(() => null);
        if (real !== null && !granted.includes(real)) granted.push(real);
      }
      return granted;
    },

    async openFolderDialog({ recursive }) {
      const picked = await native.pickFolder('Open album folder', null);
      if (!picked) return null;
      return openInDialog(picked, recursive);
    },

    async listAlbum({ folder, recursive }) {
      return listAlbum(folder, recursive);
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
      return openInDialog(entry.folder, entry.recursive);
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
      const seeded = defaultPath !== null && ((await guard.allows(defaultPath, 'output')) || (await guard.allows(defaultPath, 'folder')));
      const picked = await native.pickFolder('Choose export folder', seeded ? defaultPath : null);
      if (!picked) return null;
      const real = await guard.grantOutput(picked).catch(() => null);
      if (real !== null) await services.exportFolders.add(real);
      return real;
    },

    async startExport({ items, options }) {
      const checkedItems = [];
      for (const item of items) checkedItems.push({ ...item, path: await guard.check(item.path, 'file') });
      const outFolder = await guard.checkOutput(options.outFolder);
      const jobId = services.exports.start({ items: checkedItems, options: { ...options, outFolder } });
      return { jobId };
    },

    async cancelExport({ jobId }) {
      return { cancelled: services.exports.cancel(jobId) };
    },

    async openInFileManager({ path: p }) {
      // Only a folder the user chose: an export folder or an album root, never a file or an app.
      let real = await guard.checkOutput(p).catch(() => null);
      if (real === null) {
        real = await guard.check(p, 'folder');
        if (!guard.isAlbumRoot(real)) throw new PathRefusedError(p, 'not a folder you opened');
      }
      if (await isLaunchable(real)) throw new PathRefusedError(p, 'an application, not a folder');
      return native.openFolder(real);
    },

    async getSettings() {
      return services.settings.get();
    },

    async setSettings(patch) {
      // A remembered export folder must be one the user chose: it is re-granted at next start.
      const out = patch.export?.outFolder;
      if (out) await guard.checkOutput(out);
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
      // Main cannot tell a real drop from a forged one, so a drop grants no more than is safe
      // either way: single photos (never through a symlink), and folders only once the user
      // confirms them in main's own dialog, for this session (never into the recent list).
      const files: string[] = [];
      const folders: string[] = [];
      for (const p of paths) {
        if (!isDropPath(p)) continue;
        const info = await lstat(p).catch(() => null);
        if (info?.isFile()) {
          const real = await guard.grantImage(p, 'drop').catch(() => null);
          if (real !== null && !files.includes(real)) files.push(real);
        } else if (info?.isDirectory()) {
          const real = await realpath(p).catch(() => null);
          if (real !== null && !folders.includes(real)) folders.push(real);
        }
      }
      if (folders.length === 0 || !(await native.confirmOpenFolders(folders))) return { files, folders: [] };
      const granted: string[] = [];
      for (const f of folders) granted.push(await guard.grantFolder(f));
      return { files, folders: granted };
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
