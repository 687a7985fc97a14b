/** Export dialog settings and the running (or last) batch export job. */
import { DEFAULT_SETTINGS, type ExportDone, type ExportFileResult, type ExportProgress } from '../../../common/contract';
import type { ExportJob, ExportSettings, Host } from '../host/host';
import type { Editor } from './editor.svelte';

export type ExportScope = 'current' | 'selected' | 'all';

export interface JobView {
  id: string | null;
  total: number;
  names: Record<string, string>;
  progress: ExportProgress | null;
  results: ExportFileResult[];
  done: ExportDone | null;
  error: string | null;
}

export class Exporter {
  dialogOpen = $state(false);
  panelOpen = $state(false);
  scope = $state<ExportScope>('current');
  settings = $state<ExportSettings>({ ...DEFAULT_SETTINGS.export });
  job = $state<JobView | null>(null);
  private handle: ExportJob | null = null;
  private readonly host: Host;
  private readonly editor: Editor;

  constructor(host: Host, editor: Editor) {
    this.host = host;
    this.editor = editor;
  }

  async load(): Promise<void> {
    this.settings = await this.host.loadExportSettings().catch(() => ({ ...DEFAULT_SETTINGS.export }));
  }

  get running(): boolean {
    return this.job !== null && this.job.done === null && this.job.error === null;
  }

  get failures(): ExportFileResult[] {
    return this.job?.results.filter((r) => r.status === 'failed') ?? [];
  }

  open(scope?: ExportScope): void {
    if (this.editor.photos.length === 0) return;
    this.scope = scope ?? (this.editor.selected.size > 1 ? 'selected' : 'current');
    this.dialogOpen = true;
  }

  targets() {
    const e = this.editor;
    if (this.scope === 'all') return e.photos;
    if (this.scope === 'selected') return e.photos.filter((p) => e.selected.has(p.id));
    return e.current ? [e.current] : [];
  }

  async chooseFolder(): Promise<void> {
    const folder = await this.host.chooseOutputFolder(this.settings.outFolder);
    if (folder) this.settings = { ...this.settings, outFolder: folder };
  }

  async start(): Promise<void> {
    const photos = this.targets();
    if (photos.length === 0 || this.running) return;
    if (this.host.capabilities.outputFolder && !this.settings.outFolder) {
      await this.chooseFolder();
      if (!this.settings.outFolder) return;
    }
    const settings = $state.snapshot(this.settings);
    void this.host.saveExportSettings(settings).catch(() => undefined);
    const names = Object.fromEntries(photos.map((p) => [p.id, p.name]));
    const job: JobView = { id: null, total: photos.length, names, progress: null, results: [], done: null, error: null };
    this.job = job;
    this.dialogOpen = false;
    this.panelOpen = true;
    const byId = new Map(photos.map((p) => [p.id, p]));
    const exportedWith = new Map(photos.map((p) => [p.id, $state.snapshot(p.adjustments)]));
    try {
      this.handle = await this.host.startExport(
        photos.map((p) => ({
          photo: p.entry,
          adjustments: exportedWith.get(p.id)!,
          pixels: p.width && p.height ? p.width * p.height : null,
        })),
        settings,
        {
          onProgress: (p) => {
            if (this.job) this.job.progress = p;
          },
          onFileResult: (r) => {
            this.job?.results.push(r);
            const photo = byId.get(r.path);
            if (photo && r.status === 'ok') photo.exportedWith = exportedWith.get(photo.id) ?? null;
          },
          onDone: (d) => {
            if (this.job) this.job.done = d;
            this.handle = null;
          },
        },
      );
      if (this.job) this.job.id = this.handle.id;
    } catch (e) {
      if (this.job) this.job.error = (e as Error).message;
    }
  }

  cancel(): void {
    this.handle?.cancel();
  }

  async reveal(): Promise<void> {
    const folder = this.job?.done?.outFolder;
    if (folder) await this.host.revealFolder(folder);
  }

  closePanel(): void {
    if (this.running) return;
    this.panelOpen = false;
  }
}
