// The ONE typed IPC contract between Electron main, the preload bridge and the renderer.
// Main validates every request with these schemas (plus the path guard); the preload validates
// every event before handing it to page code. The renderer only ever sees `window.hazeless`
// (type `HazelessApi`); in browser mode it gets an object with the same shape from a host adapter.
//
// Browser-safe: imports nothing from Node or Electron.

import { ADJUSTMENT_RANGES } from '../engine/adjustments';
import type { Adjustments } from '../engine/types';
import { FORMAT_IDS, jpeg, type ImageFormat } from './formats/index';
import {
  arr,
  bool,
  bytes,
  literal,
  none,
  nullable,
  num,
  obj,
  optional,
  str,
  tagged,
  type Schema,
} from './schema';

export { assertValid, isValid, PayloadError, type Schema } from './schema';

// ---------------------------------------------------------------------------------------------
// Shared value types

/** Slider values: the engine's type (defaults come from the model manifest). */
export type { Adjustments };

/** An export's format: one of common/formats/ (the facts about each live there). */
export type ExportFormat = ImageFormat;
/** What an export does when its output name is taken (common/export-naming.ts). */
export const ON_EXISTING = ['skip', 'overwrite', 'rename'] as const;
export type OnExisting = (typeof ON_EXISTING)[number];
/** The long edge an export may be shrunk to, in pixels (the app's dialog and the CLI's --max-size). */
export const EXPORT_MAX_SIZE = { min: 16, max: 65_535 } as const;
/** The quality of a lossy export (the app's dialog and the CLI's --quality). */
export const EXPORT_QUALITY = { min: 1, max: 100 } as const;

export interface ExportOptions {
  format: ExportFormat;
  /** 1..100; ignored by PNG. */
  quality: number;
  /** Longest side of the output in pixels, or null for full resolution. */
  maxSize: number | null;
  outFolder: string;
  /** Appended to the file's base name, e.g. "-dehazed"; may be empty if outFolder differs. */
  suffix: string;
  onExisting: OnExisting;
}

export interface ExportItem {
  path: string;
  adjustments: Adjustments;
}

export interface ExportStartRequest {
  items: ExportItem[];
  options: ExportOptions;
}

export type AlbumEntry =
  | { path: string; name: string; relativePath: string; size: number; mtimeMs: number; readable: true; width: number; height: number }
  | { path: string; name: string; relativePath: string; size: number; mtimeMs: number; readable: false; error: string };

export interface AlbumListing {
  folder: string;
  recursive: boolean;
  files: AlbumEntry[];
}

export interface RecentAlbum {
  folder: string;
  recursive: boolean;
  openedAt: number;
}

/** A decoded photo, EXIF orientation already applied, 8-bit RGBA (alpha 255 when opaque). */
export interface PreviewImage {
  path: string;
  mtimeMs: number;
  width: number;
  height: number;
  /** Oriented size of the full-resolution photo (the preview may be a downscaled proxy). */
  sourceWidth: number;
  sourceHeight: number;
  rgba: Uint8Array;
}

export interface Thumbnail {
  path: string;
  width: number;
  height: number;
  jpeg: Uint8Array;
}

export interface ModelBundle {
  /** Parsed `models/<id>.json`; the renderer validates it with the engine's `loadManifest`. */
  manifest: unknown;
  onnx: Uint8Array;
}

export interface AppSettings {
  export: Omit<ExportOptions, 'outFolder'> & { outFolder: string | null };
  recursive: boolean;
  /** Free-form UI preferences owned by the renderer (flat, JSON scalars only). */
  ui: Record<string, string | number | boolean | null>;
}

export interface PhotoKey {
  path: string;
  mtimeMs: number;
}

export type ExportStage = 'queued' | 'decode' | 'estimate' | 'render' | 'encode' | 'write' | 'done';

export interface ExportProgress {
  jobId: string;
  /** Files finished (any outcome) and total files in the job. */
  done: number;
  total: number;
  stage: ExportStage;
  /** The file being worked on, or null between files. */
  file: string | null;
  /** Progress inside the current file's current stage. */
  fileDone: number;
  fileTotal: number;
  /** Estimated seconds left for the whole job, null until one file has finished. */
  etaSeconds: number | null;
}

export type ExportFileResult =
  | { jobId: string; path: string; status: 'ok'; outPath: string; ms: number }
  | { jobId: string; path: string; status: 'skipped'; reason: string }
  | { jobId: string; path: string; status: 'failed'; reason: string };

export interface ExportDone {
  jobId: string;
  ok: number;
  skipped: number;
  failed: number;
  cancelled: boolean;
  outFolder: string;
}

/** Menu items that the renderer carries out (same names as its keyboard shortcut commands). */
export const MENU_COMMANDS = [
  'open-photos',
  'open-folder',
  'export',
  'undo',
  'redo',
  'copy-settings',
  'paste-settings',
  'reset-all',
  'previous-photo',
  'next-photo',
  'zoom-in',
  'zoom-out',
  'zoom-fit',
  'zoom-actual',
  'toggle-split',
  'toggle-haze-map',
  'help',
] as const;
export type MenuCommand = (typeof MENU_COMMANDS)[number];

export interface GrantedPaths {
  files: string[];
  folders: string[];
}

// ---------------------------------------------------------------------------------------------
// Schemas

const MAX_PATH = 4096;
const path = str({ min: 1, max: MAX_PATH });
const slider = (key: keyof Adjustments): Schema<number> => num({ min: ADJUSTMENT_RANGES[key][0], max: ADJUSTMENT_RANGES[key][1] });

export const adjustmentsSchema: Schema<Adjustments> = obj<Adjustments>({
  strength: slider('strength'),
  distance: slider('distance'),
  protect: slider('protect'),
  exposure: slider('exposure'),
});

const exportFormat = literal(...FORMAT_IDS);
const onExisting = literal(...ON_EXISTING);
const quality = num({ ...EXPORT_QUALITY, integer: true });
const maxSize = nullable(num({ ...EXPORT_MAX_SIZE, integer: true }));
// A suffix becomes part of a file name: no separators, no dots-only trickery, no control chars.
const suffix: Schema<string> = {
  check(v, at) {
    const e = str({ max: 64 }).check(v, at);
    if (e) return e;
    const s = v as string;
    if (/[\\/:*?"<>|\x00-\x1f]/.test(s)) return `${at}: contains a character not allowed in file names`;
    return null;
  },
};

export const exportOptionsSchema: Schema<ExportOptions> = obj<ExportOptions>({
  format: exportFormat,
  quality,
  maxSize,
  outFolder: path,
  suffix,
  onExisting,
});

export const exportStartSchema: Schema<ExportStartRequest> = obj<ExportStartRequest>({
  items: arr(obj<ExportItem>({ path, adjustments: adjustmentsSchema }), { min: 1, max: 10_000 }),
  options: exportOptionsSchema,
});

const jobId = str({ min: 1, max: 64 });
const mtimeMs = num({ min: 0 });
const count = num({ min: 0, integer: true });

export const photoKeySchema: Schema<PhotoKey> = obj<PhotoKey>({ path, mtimeMs });

const uiValue: Schema<string | number | boolean | null> = {
  check(v, at) {
    if (v === null || typeof v === 'boolean') return null;
    if (typeof v === 'number') return Number.isFinite(v) ? null : `${at}: not finite`;
    if (typeof v === 'string') return v.length <= 4096 ? null : `${at}: too long`;
    return `${at}: expected a JSON scalar`;
  },
};
const uiRecord: Schema<Record<string, string | number | boolean | null>> = {
  check(v, at) {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || Object.getPrototypeOf(v) !== Object.prototype) {
      return `${at}: expected object`;
    }
    const entries = Object.entries(v);
    if (entries.length > 200) return `${at}: too many keys`;
    for (const [k, val] of entries) {
      if (k.length > 100 || k === '__proto__') return `${at}: bad key`;
      const e = uiValue.check(val, `${at}.${k}`);
      if (e) return e;
    }
    return null;
  },
};

export const settingsSchema: Schema<AppSettings> = obj<AppSettings>({
  export: obj<AppSettings['export']>({
    format: exportFormat,
    quality,
    maxSize,
    outFolder: nullable(path),
    suffix,
    onExisting,
  }),
  recursive: bool,
  ui: uiRecord,
});

export interface SettingsPatch {
  export?: Partial<AppSettings['export']>;
  recursive?: boolean;
  ui?: AppSettings['ui'];
}

export const settingsPatchSchema: Schema<SettingsPatch> = obj<SettingsPatch>({
  export: optional(
    obj<Partial<AppSettings['export']>>({
      format: optional(exportFormat),
      quality: optional(quality),
      maxSize: optional(maxSize),
      outFolder: optional(nullable(path)),
      suffix: optional(suffix),
      onExisting: optional(onExisting),
    }),
  ),
  recursive: optional(bool),
  ui: optional(uiRecord),
});

const exportStage = literal('queued', 'decode', 'estimate', 'render', 'encode', 'write', 'done');

export const exportProgressSchema: Schema<ExportProgress> = obj<ExportProgress>({
  jobId,
  done: count,
  total: count,
  stage: exportStage,
  file: nullable(path),
  fileDone: count,
  fileTotal: count,
  etaSeconds: nullable(num({ min: 0 })),
});

const reason = str({ max: 2000 });
export const exportFileResultSchema: Schema<ExportFileResult> = tagged<ExportFileResult>('status', {
  ok: obj<Extract<ExportFileResult, { status: 'ok' }>>({
    jobId,
    path,
    status: literal('ok'),
    outPath: path,
    ms: num({ min: 0 }),
  }),
  skipped: obj<Extract<ExportFileResult, { status: 'skipped' }>>({ jobId, path, status: literal('skipped'), reason }),
  failed: obj<Extract<ExportFileResult, { status: 'failed' }>>({ jobId, path, status: literal('failed'), reason }),
});

export const exportDoneSchema: Schema<ExportDone> = obj<ExportDone>({
  jobId,
  ok: count,
  skipped: count,
  failed: count,
  cancelled: bool,
  outFolder: path,
});

export const menuCommandSchema: Schema<MenuCommand> = literal(...MENU_COMMANDS);

// ---------------------------------------------------------------------------------------------
// Request/response channels (renderer -> main, ipcRenderer.invoke / ipcMain.handle)

interface InvokeSpec<Req, Res> {
  channel: string;
  request: Schema<Req>;
  /** Type carrier only; main is trusted to answer with this shape. */
  response?: Res;
}

function invoke<Req, Res>(channel: string, request: Schema<Req>): InvokeSpec<Req, Res> {
  return { channel: `hazeless:${channel}`, request };
}

export const invokeChannels = {
  /** Native multi-select file dialog; grants and returns the chosen files (null if cancelled). */
  openPhotosDialog: invoke<undefined, string[] | null>('dialog/open-photos', none),
  /** Native folder dialog; grants the folder root. */
  openFolderDialog: invoke<{ recursive: boolean }, AlbumListing | null>(
    'dialog/open-folder',
    obj<{ recursive: boolean }>({ recursive: bool }),
  ),
  /** Re-list a folder that is already granted (e.g. after toggling recursive or a refresh). */
  listAlbum: invoke<{ folder: string; recursive: boolean }, AlbumListing>(
    'album/list',
    obj<{ folder: string; recursive: boolean }>({ folder: path, recursive: bool }),
  ),
  /** Describe files granted one by one (opened photos, dropped files). */
  describeFiles: invoke<{ paths: string[] }, AlbumEntry[]>(
    'album/describe-files',
    obj<{ paths: string[] }>({ paths: arr(path, { max: 10_000 }) }),
  ),
  getRecentAlbums: invoke<undefined, RecentAlbum[]>('recent/get', none),
  /** Reopen a recent album: main re-grants it only if it is in its own recent list. */
  openRecentAlbum: invoke<{ folder: string }, AlbumListing>('recent/open', obj<{ folder: string }>({ folder: path })),
  clearRecentAlbums: invoke<undefined, RecentAlbum[]>('recent/clear', none),
  /** Decoded, oriented RGBA; `maxSide` asks for a downscaled proxy (null = full resolution). */
  readPreview: invoke<{ path: string; maxSide: number | null }, PreviewImage>(
    'photo/preview',
    obj<{ path: string; maxSide: number | null }>({ path, maxSide: nullable(num({ min: 16, max: 65_535, integer: true })) }),
  ),
  readThumbnail: invoke<{ path: string; size: number }, Thumbnail>(
    'photo/thumbnail',
    obj<{ path: string; size: number }>({ path, size: num({ min: 16, max: 1024, integer: true }) }),
  ),
  loadModel: invoke<undefined, ModelBundle>('model/load', none),
  /** Native folder dialog for exports: the only way a folder becomes writable. */
  chooseOutputFolder: invoke<{ defaultPath: string | null }, string | null>(
    'dialog/choose-output-folder',
    obj<{ defaultPath: string | null }>({ defaultPath: nullable(path) }),
  ),
  startExport: invoke<ExportStartRequest, { jobId: string }>('export/start', exportStartSchema),
  cancelExport: invoke<{ jobId: string }, { cancelled: boolean }>('export/cancel', obj<{ jobId: string }>({ jobId })),
  /** Opens a granted folder (or an export output folder) in the OS file manager. */
  openInFileManager: invoke<{ path: string }, boolean>('shell/open-folder', obj<{ path: string }>({ path })),
  getSettings: invoke<undefined, AppSettings>('settings/get', none),
  setSettings: invoke<SettingsPatch, AppSettings>('settings/set', settingsPatchSchema),
  /** Saved per-photo slider values, keyed by path + mtime (a changed file forgets them). */
  getAdjustments: invoke<{ photos: PhotoKey[] }, (Adjustments | null)[]>(
    'adjustments/get',
    obj<{ photos: PhotoKey[] }>({ photos: arr(photoKeySchema, { max: 10_000 }) }),
  ),
  setAdjustments: invoke<{ photo: PhotoKey; adjustments: Adjustments | null }, boolean>(
    'adjustments/set',
    obj<{ photo: PhotoKey; adjustments: Adjustments | null }>({ photo: photoKeySchema, adjustments: nullable(adjustmentsSchema) }),
  ),
  /** Taskbar/dock progress for renderer-side work (0..1, or null to clear). Export sets it itself. */
  setTaskbarProgress: invoke<{ progress: number | null }, boolean>(
    'window/taskbar-progress',
    obj<{ progress: number | null }>({ progress: nullable(num({ min: 0, max: 1 })) }),
  ),
  /**
   * Paths of dropped files/folders (the preload resolves them from File objects). Main grants
   * photos one by one, and folders only once the user confirms them in its own dialog.
   */
  grantDropped: invoke<{ paths: string[] }, GrantedPaths>(
    'drop/grant',
    obj<{ paths: string[] }>({ paths: arr(path, { min: 1, max: 10_000 }) }),
  ),
} as const;

export type InvokeChannels = typeof invokeChannels;
export type InvokeName = keyof InvokeChannels;
export type RequestOf<N extends InvokeName> = InvokeChannels[N] extends InvokeSpec<infer Req, unknown> ? Req : never;
export type ResponseOf<N extends InvokeName> = InvokeChannels[N] extends InvokeSpec<unknown, infer Res> ? Res : never;

// ---------------------------------------------------------------------------------------------
// Event channels (main -> renderer, webContents.send / ipcRenderer.on)

export const eventChannels = {
  exportProgress: { channel: 'hazeless:event/export-progress', payload: exportProgressSchema },
  exportFileResult: { channel: 'hazeless:event/export-file-result', payload: exportFileResultSchema },
  exportDone: { channel: 'hazeless:event/export-done', payload: exportDoneSchema },
  menuCommand: { channel: 'hazeless:event/menu', payload: menuCommandSchema },
} as const;

export type EventChannels = typeof eventChannels;
export type EventName = keyof EventChannels;
export type EventPayload<N extends EventName> = EventChannels[N]['payload'] extends Schema<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// What the preload exposes as `window.hazeless` (and browser mode imitates).

export type Unsubscribe = () => void;

export interface HazelessApi {
  openPhotosDialog(): Promise<string[] | null>;
  openFolderDialog(recursive: boolean): Promise<AlbumListing | null>;
  listAlbum(folder: string, recursive: boolean): Promise<AlbumListing>;
  describeFiles(paths: string[]): Promise<AlbumEntry[]>;
  getRecentAlbums(): Promise<RecentAlbum[]>;
  openRecentAlbum(folder: string): Promise<AlbumListing>;
  clearRecentAlbums(): Promise<RecentAlbum[]>;
  readPreview(path: string, maxSide: number | null): Promise<PreviewImage>;
  readThumbnail(path: string, size: number): Promise<Thumbnail>;
  loadModel(): Promise<ModelBundle>;
  chooseOutputFolder(defaultPath: string | null): Promise<string | null>;
  startExport(request: ExportStartRequest): Promise<{ jobId: string }>;
  cancelExport(jobId: string): Promise<{ cancelled: boolean }>;
  openInFileManager(path: string): Promise<boolean>;
  getSettings(): Promise<AppSettings>;
  setSettings(patch: SettingsPatch): Promise<AppSettings>;
  getAdjustments(photos: PhotoKey[]): Promise<(Adjustments | null)[]>;
  setAdjustments(photo: PhotoKey, adjustments: Adjustments | null): Promise<boolean>;
  setTaskbarProgress(progress: number | null): Promise<boolean>;
  /** Grants dropped files/folders; pass the `File` objects from the drop event's dataTransfer. */
  grantDropped(files: File[]): Promise<GrantedPaths>;
  onExportProgress(listener: (p: ExportProgress) => void): Unsubscribe;
  onExportFileResult(listener: (r: ExportFileResult) => void): Unsubscribe;
  onExportDone(listener: (d: ExportDone) => void): Unsubscribe;
  onMenuCommand(listener: (c: MenuCommand) => void): Unsubscribe;
}

declare global {
  interface Window {
    hazeless?: HazelessApi;
  }
}

export const DEFAULT_SETTINGS: AppSettings = {
  export: { format: jpeg.id, quality: jpeg.defaultQuality, maxSize: null, outFolder: null, suffix: '-dehazed', onExisting: 'rename' },
  recursive: false,
  ui: {},
};
