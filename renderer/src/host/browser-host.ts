/** Browser mode: files come from the file picker or drag-and-drop, exports leave as downloads. */
import type { Adjustments } from '../../../engine/types';
import { FORMAT_IDS, listLabels } from '../../../common/formats/index';
import type { EngineClient } from '../worker/engine-client';
import { startEngine } from '../worker/engine-start';
import type { PhotoSource } from '../worker/protocol';
import { encodableFormats, startBrowserExport } from './browser-export';
import { droppedEntries, filesFromEntries, pickFiles, type PickedFile } from './browser-files';
import * as storage from './browser-storage';
import type { Album, ExportItem, ExportJob, ExportListeners, ExportSettings, Host, HostCapabilities, ModelFiles, PhotoEntry } from './host';

const MODEL_ID = 'hazeless-v1';

export class BrowserHost implements Host {
  capabilities: HostCapabilities = {
    kind: 'browser',
    formats: ['jpeg', 'png', 'webp'],
    formatNote: '',
    outputFolder: false,
    recentAlbums: false,
    revealOutput: false,
    onExistingNote: 'Files go to your browser’s downloads; “existing” means exported earlier in this session.',
  };

  private readonly files = new Map<string, File>();
  private counter = 0;
  private model: Promise<ModelFiles> | null = null;
  private exportEngine: Promise<EngineClient> | null = null;

  async init(): Promise<void> {
    const formats = await encodableFormats(FORMAT_IDS);
    const missing = FORMAT_IDS.filter((f) => !formats.includes(f));
    this.capabilities = {
      ...this.capabilities,
      formats,
      formatNote:
        `This browser can encode ${listLabels(formats)}.` +
        (missing.length ? ` ${listLabels(missing)} export needs the desktop app.` : ''),
    };
  }

  loadModel(): Promise<ModelFiles> {
    this.model ??= (async () => {
      const manifestResponse = await fetch(`./models/${MODEL_ID}.json`);
      if (!manifestResponse.ok) throw new Error(`model manifest not found (${manifestResponse.status})`);
      const manifest = (await manifestResponse.json()) as { file?: unknown };
      if (typeof manifest.file !== 'string') throw new Error('model manifest names no .onnx file');
      const onnxResponse = await fetch(`./models/${encodeURIComponent(manifest.file)}`);
      if (!onnxResponse.ok) throw new Error(`model file not found (${onnxResponse.status})`);
      return { manifest, onnx: new Uint8Array(await onnxResponse.arrayBuffer()) };
    })();
    return this.model;
  }

  private album(picked: PickedFile[], title: string | null): Album | null {
    if (picked.length === 0) return null;
    const photos: PhotoEntry[] = picked.map(({ file, relativePath }) => {
      const id = `file-${++this.counter}`;
      this.files.set(id, file);
      return { id, name: file.name, relativePath, size: file.size, error: file.size === 0 ? 'Cannot read this photo: the file is empty' : null };
    });
    return { title, photos };
  }

  private file(photo: PhotoEntry): File {
    const f = this.files.get(photo.id);
    if (!f) throw new Error(`unknown photo ${photo.name}`);
    return f;
  }

  async openPhotos(): Promise<Album | null> {
    return this.album(await pickFiles({ folder: false }), null);
  }

  async openFolder(): Promise<Album | null> {
    const picked = await pickFiles({ folder: true });
    const title = picked[0]?.relativePath.split('/')[0] ?? null;
    return this.album(picked, title);
  }

  dropped(data: DataTransfer): Promise<Album | null> {
    const { entries, files } = droppedEntries(data);
    if (entries.length === 0) return Promise.resolve(this.album(files.map((file) => ({ file, relativePath: '' })), null));
    return filesFromEntries(entries).then(({ files: picked, folderName }) => this.album(picked, folderName));
  }

  async recentAlbums(): Promise<[]> {
    return [];
  }

  openRecent(): Promise<Album> {
    return Promise.reject(new Error('recent albums need the desktop app'));
  }

  async readPhoto(photo: PhotoEntry): Promise<PhotoSource> {
    return { kind: 'blob', blob: this.file(photo) };
  }

  async thumbnail(photo: PhotoEntry, size: number): Promise<Blob> {
    const file = this.file(photo);
    let bitmap: ImageBitmap;
    try {
      // Resizing while decoding: a 24 MP photo never exists at full size on this thread.
      bitmap = await createImageBitmap(file, { resizeHeight: size, resizeQuality: 'medium', imageOrientation: 'from-image' });
    } catch {
      throw new Error('Cannot read this photo: the file is damaged or not an image format this browser can decode');
    }
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    canvas.getContext('2d')?.drawImage(bitmap, 0, 0);
    bitmap.close();
    return canvas.convertToBlob({ type: 'image/jpeg', quality: 0.85 });
  }

  async loadAdjustments(photos: PhotoEntry[]): Promise<(Adjustments | null)[]> {
    return photos.map((p) => {
      const f = this.files.get(p.id);
      return f ? storage.loadAdjustments(f) : null;
    });
  }

  async saveAdjustments(photo: PhotoEntry, adjustments: Adjustments | null): Promise<void> {
    const f = this.files.get(photo.id);
    if (f) storage.saveAdjustments(f, adjustments);
  }

  async loadExportSettings(): Promise<ExportSettings> {
    const s = storage.loadExportSettings();
    return this.capabilities.formats.includes(s.format) ? s : { ...s, format: this.capabilities.formats[0] ?? 'jpeg' };
  }

  async saveExportSettings(settings: ExportSettings): Promise<void> {
    storage.saveExportSettings(settings);
  }

  async chooseOutputFolder(): Promise<string | null> {
    return null;
  }

  async startExport(items: ExportItem[], settings: ExportSettings, listeners: ExportListeners): Promise<ExportJob> {
    return startBrowserExport(items, settings, listeners, {
      engine: () => {
        this.exportEngine ??= this.loadModel()
          .then((m) => startEngine(m))
          .then((e) => e.client);
        // A failed start is retried by the next export rather than remembered.
        this.exportEngine.catch(() => (this.exportEngine = null));
        return this.exportEngine;
      },
      source: (item) => this.readPhoto(item.photo),
      pixels: (item) => item.pixels,
    });
  }

  async revealFolder(): Promise<void> {}

  onMenuCommand(): () => void {
    return () => undefined;
  }
}
