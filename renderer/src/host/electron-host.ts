/** Electron: everything goes through the preload bridge (`window.hazeless`, common/contract.ts). */
import type { AlbumEntry, AlbumListing, ExportDone, ExportFileResult, ExportProgress, HazelessApi } from '../../../common/contract';
import type { Adjustments } from '../../../engine/types';
import { FORMAT_IDS, listLabels } from '../../../common/formats/index';
import type { PhotoSource } from '../worker/protocol';
import { byName } from './image-files';
import type { Album, ExportItem, ExportJob, ExportListeners, ExportSettings, Host, HostCapabilities, ModelFiles, PhotoEntry } from './host';

function folderTitle(folder: string): string {
  return folder.split(/[\\/]/).filter(Boolean).pop() ?? folder;
}

export class ElectronHost implements Host {
  readonly capabilities: HostCapabilities = {
    kind: 'electron',
    formats: FORMAT_IDS,
    formatNote: `${listLabels(FORMAT_IDS)} keep the photo’s EXIF and colour profile.`,
    outputFolder: true,
    recentAlbums: true,
    revealOutput: true,
    onExistingNote: 'What to do when the output folder already has a file of that name.',
  };

  private readonly mtimes = new Map<string, number>();
  private recursive = false;

  constructor(private readonly api: HazelessApi) {}

  async init(): Promise<void> {
    this.recursive = (await this.api.getSettings()).recursive;
  }

  private model: Promise<ModelFiles> | null = null;

  loadModel(): Promise<ModelFiles> {
    this.model ??= this.api.loadModel();
    this.model.catch(() => (this.model = null));
    return this.model;
  }

  private entries(files: AlbumEntry[]): PhotoEntry[] {
    return files.map((f) => {
      this.mtimes.set(f.path, f.mtimeMs);
      return { id: f.path, name: f.name, relativePath: f.relativePath, size: f.size, error: f.readable ? null : f.error };
    });
  }

  private fromListing(listing: AlbumListing): Album {
    return { title: folderTitle(listing.folder), photos: this.entries(listing.files) };
  }

  async openPhotos(): Promise<Album | null> {
    const paths = await this.api.openPhotosDialog();
    if (!paths || paths.length === 0) return null;
    return { title: null, photos: this.entries(await this.api.describeFiles(paths)) };
  }

  async openFolder(): Promise<Album | null> {
    const listing = await this.api.openFolderDialog(this.recursive);
    return listing ? this.fromListing(listing) : null;
  }

  dropped(data: DataTransfer): Promise<Album | null> {
    const files = [...data.files];
    if (files.length === 0) return Promise.resolve(null);
    return (async () => {
      const granted = await this.api.grantDropped(files);
      const photos = granted.files.length ? this.entries(await this.api.describeFiles(granted.files)) : [];
      for (const folder of granted.folders) photos.push(...this.fromListing(await this.api.listAlbum(folder, this.recursive)).photos);
      if (photos.length === 0) return null;
      const title = granted.folders.length === 1 && granted.files.length === 0 ? folderTitle(granted.folders[0]) : null;
      return { title, photos: title ? photos : photos.sort((a, b) => byName(a.name, b.name)) };
    })();
  }

  recentAlbums() {
    return this.api.getRecentAlbums();
  }

  async openRecent(folder: string): Promise<Album> {
    return this.fromListing(await this.api.openRecentAlbum(folder));
  }

  async readPhoto(photo: PhotoEntry): Promise<PhotoSource> {
    const p = await this.api.readPreview(photo.id, null);
    this.mtimes.set(photo.id, p.mtimeMs);
    return { kind: 'rgba', width: p.width, height: p.height, data: p.rgba };
  }

  async thumbnail(photo: PhotoEntry, size: number): Promise<Blob> {
    const t = await this.api.readThumbnail(photo.id, size);
    return new Blob([t.jpeg as Uint8Array<ArrayBuffer>], { type: 'image/jpeg' });
  }

  private key(photo: PhotoEntry) {
    return { path: photo.id, mtimeMs: this.mtimes.get(photo.id) ?? 0 };
  }

  loadAdjustments(photos: PhotoEntry[]): Promise<(Adjustments | null)[]> {
    return this.api.getAdjustments(photos.map((p) => this.key(p)));
  }

  async saveAdjustments(photo: PhotoEntry, adjustments: Adjustments | null): Promise<void> {
    await this.api.setAdjustments(this.key(photo), adjustments);
  }

  async loadExportSettings(): Promise<ExportSettings> {
    return (await this.api.getSettings()).export;
  }

  async saveExportSettings(settings: ExportSettings): Promise<void> {
    await this.api.setSettings({ export: settings });
  }

  chooseOutputFolder(current: string | null): Promise<string | null> {
    return this.api.chooseOutputFolder(current);
  }

  async startExport(items: ExportItem[], settings: ExportSettings, listeners: ExportListeners): Promise<ExportJob> {
    if (!settings.outFolder) throw new Error('choose an output folder first');
    // Events can arrive before startExport resolves with the job id: hold them until then.
    let jobId: string | null = null;
    const early: (() => void)[] = [];
    const route = <T extends { jobId: string }>(deliver: (v: T) => void) => (v: T) => {
      if (jobId === null) early.push(() => route(deliver)(v));
      else if (v.jobId === jobId) deliver(v);
    };
    const unsubscribe = [
      this.api.onExportProgress(route<ExportProgress>((p) => listeners.onProgress(p))),
      this.api.onExportFileResult(route<ExportFileResult>((r) => listeners.onFileResult(r))),
      this.api.onExportDone(
        route<ExportDone>((d) => {
          for (const u of unsubscribe) u();
          listeners.onDone(d);
        }),
      ),
    ];
    try {
      const started = await this.api.startExport({
        items: items.map((i) => ({ path: i.photo.id, adjustments: i.adjustments })),
        options: { ...settings, outFolder: settings.outFolder },
      });
      jobId = started.jobId;
    } catch (e) {
      for (const u of unsubscribe) u();
      throw e;
    }
    for (const deliver of early.splice(0)) deliver();
    const id = jobId;
    return { id, cancel: () => void this.api.cancelExport(id) };
  }

  async revealFolder(path: string): Promise<void> {
    await this.api.openInFileManager(path);
  }

  onMenuCommand(listener: Parameters<HazelessApi['onMenuCommand']>[0]): () => void {
    return this.api.onMenuCommand(listener);
  }
}
