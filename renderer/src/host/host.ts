/**
 * Everything the renderer needs from its surroundings. Electron provides it through the preload
 * bridge (electron-host.ts); browser mode through web APIs (browser-host.ts). The UI only ever
 * talks to a Host, so both modes run the same components.
 */
import type {
  AppSettings,
  ExportDone,
  ExportFileResult,
  ExportFormat,
  ExportProgress,
  MenuCommand,
  OnExisting,
  RecentAlbum,
} from '../../../common/contract';
import type { Adjustments } from '../../../engine/types';
import type { PhotoSource } from '../worker/protocol';

export interface PhotoEntry {
  /** Unique in the session: the file path (Electron) or a generated id (browser). */
  id: string;
  name: string;
  /** Path inside the opened folder ("" for loose files); shown as a tooltip. */
  relativePath: string;
  size: number;
  /** Known before decoding (e.g. the listing could not read it); null = try to open it. */
  error: string | null;
}

export interface Album {
  /** Folder name, or null for loose files. */
  title: string | null;
  photos: PhotoEntry[];
}

export interface ModelFiles {
  manifest: unknown;
  onnx: Uint8Array;
}

export type ExportSettings = AppSettings['export'];

export interface ExportItem {
  photo: PhotoEntry;
  adjustments: Adjustments;
  /** Width x height when known (for the time estimate). */
  pixels: number | null;
}

export interface ExportListeners {
  onProgress(p: ExportProgress): void;
  onFileResult(r: ExportFileResult): void;
  onDone(d: ExportDone): void;
}

export interface ExportJob {
  readonly id: string;
  cancel(): void;
}

export interface HostCapabilities {
  kind: 'electron' | 'browser';
  /** Formats this host can write, in menu order. */
  formats: readonly ExportFormat[];
  /** One sentence on format support, shown in the export dialog. */
  formatNote: string;
  /** Whether exports go to a folder the user picks (else: the browser's downloads). */
  outputFolder: boolean;
  recentAlbums: boolean;
  /** Whether "Open output folder" can be offered after an export. */
  revealOutput: boolean;
  onExistingNote: string;
}

export interface Host {
  readonly capabilities: HostCapabilities;
  init(): Promise<void>;
  loadModel(): Promise<ModelFiles>;
  /** Null when the user cancelled. */
  openPhotos(): Promise<Album | null>;
  openFolder(): Promise<Album | null>;
  /** Must be called synchronously inside the drop event (the browser empties dataTransfer). */
  dropped(data: DataTransfer): Promise<Album | null>;
  recentAlbums(): Promise<RecentAlbum[]>;
  openRecent(folder: string): Promise<Album>;
  /** Full-resolution pixels or bytes for the engine worker. */
  readPhoto(photo: PhotoEntry): Promise<PhotoSource>;
  /** A small image for the filmstrip (a Blob the UI shows through an object URL). */
  thumbnail(photo: PhotoEntry, size: number): Promise<Blob>;
  loadAdjustments(photos: PhotoEntry[]): Promise<(Adjustments | null)[]>;
  saveAdjustments(photo: PhotoEntry, adjustments: Adjustments | null): Promise<void>;
  loadExportSettings(): Promise<ExportSettings>;
  saveExportSettings(settings: ExportSettings): Promise<void>;
  chooseOutputFolder(current: string | null): Promise<string | null>;
  startExport(items: ExportItem[], settings: ExportSettings, listeners: ExportListeners): Promise<ExportJob>;
  revealFolder(path: string): Promise<void>;
  onMenuCommand(listener: (command: MenuCommand) => void): () => void;
}

export type { OnExisting, ExportFormat, RecentAlbum, ExportProgress, ExportFileResult, ExportDone, MenuCommand };
