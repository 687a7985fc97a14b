/**
 * Batch export in browser mode: each photo is rendered at full resolution in a dedicated engine
 * worker (so previews stay responsive), encoded by the browser and handed over as a download.
 */
import type { ExportFileResult, ExportFormat, ExportStage } from '../../../common/contract';
import { isAbortError } from '../../../engine/abort';
import type { Progress } from '../../../engine/types';
import { BatchEta, photoFraction } from '../../../common/eta';
import { formatFacts } from '../../../common/formats/index';
import { outputName } from '../../../common/export-naming';
import type { EngineClient } from '../worker/engine-client';
import type { ExportItem, ExportJob, ExportListeners, ExportSettings } from './host';
import type { PhotoSource } from '../worker/protocol';

export function download(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  // The download has its own reference by now; the delay only guards slow starts.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

const STAGES: Record<string, ExportStage> = { decode: 'decode', estimate: 'estimate', render: 'render', encode: 'encode' };

/** Names written in this session: the page cannot look into the Downloads folder. */
const exportedNames = new Set<string>();

let jobCounter = 0;

export interface BrowserExportDeps {
  engine: () => Promise<EngineClient>;
  source: (item: ExportItem) => Promise<PhotoSource>;
  /** Pixel count for the time estimate; null when not known yet (counts as the average). */
  pixels: (item: ExportItem) => number | null;
}

export function startBrowserExport(items: ExportItem[], settings: ExportSettings, listeners: ExportListeners, deps: BrowserExportDeps): ExportJob {
  const id = `web-${++jobCounter}`;
  const controller = new AbortController();
  void run(id, items, settings, listeners, deps, controller.signal);
  return { id, cancel: () => controller.abort() };
}

async function run(
  jobId: string,
  items: ExportItem[],
  settings: ExportSettings,
  listeners: ExportListeners,
  deps: BrowserExportDeps,
  signal: AbortSignal,
): Promise<void> {
  const total = items.length;
  const eta = new BatchEta(total, () => performance.now());
  const known = items.map(deps.pixels);
  known.forEach((pixels, i) => {
    if (pixels !== null) eta.setPixels(i, pixels);
  });
  const counts = { ok: 0, skipped: 0, failed: 0 };
  const report = (done: number, stage: ExportStage, file: string | null, p: Progress | null): void => {
    listeners.onProgress({ jobId, done, total, stage, file, fileDone: p?.done ?? 0, fileTotal: p?.total ?? 0, etaSeconds: eta.secondsLeft() });
  };
  const result = (r: ExportFileResult): void => {
    counts[r.status === 'ok' ? 'ok' : r.status]++;
    listeners.onFileResult(r);
  };

  let engine: EngineClient | null = null;
  let cancelled = false;
  for (let i = 0; i < total; i++) {
    if (signal.aborted) {
      cancelled = true;
      break;
    }
    const item = items[i];
    const path = item.photo.id;
    const decision = outputName(item.photo.name, settings.suffix, settings.format, settings.onExisting, (n) => exportedNames.has(n));
    if (decision.action === 'skip') {
      eta.drop(i);
      result({ jobId, path, status: 'skipped', reason: decision.reason });
      continue;
    }
    const t0 = performance.now();
    report(i, 'decode', path, null);
    try {
      if (item.photo.error) throw new Error(item.photo.error);
      engine ??= await deps.engine();
      const source = await deps.source(item);
      const r = await engine.call(
        'export',
        {
          photoId: item.photo.id,
          source,
          adjustments: item.adjustments,
          mime: formatFacts(settings.format).mime,
          quality: settings.quality,
          maxSize: settings.maxSize,
        },
        {
          signal,
          onProgress: (p) => {
            const stage = STAGES[p.stage] ?? 'render';
            eta.progress(i, photoFraction(stage, p.done, p.total));
            report(i, stage, path, p);
          },
        },
      );
      if (known[i] === null) eta.setPixels(i, r.width * r.height);
      eta.finish(i);
      download(r.blob, decision.name);
      exportedNames.add(decision.name);
      result({ jobId, path, status: 'ok', outPath: decision.name, ms: performance.now() - t0 });
    } catch (e) {
      if (isAbortError(e) || signal.aborted) {
        cancelled = true;
        break;
      }
      eta.fail(i);
      result({ jobId, path, status: 'failed', reason: (e as Error).message });
    }
    report(i + 1, 'done', null, null);
  }
  listeners.onDone({ jobId, ...counts, cancelled, outFolder: 'Downloads' });
}

/** Formats this browser's canvas can actually encode (asked, not assumed). */
export async function encodableFormats(candidates: readonly ExportFormat[]): Promise<ExportFormat[]> {
  const out: ExportFormat[] = [];
  const canvas = new OffscreenCanvas(2, 2);
  canvas.getContext('2d')?.fillRect(0, 0, 1, 1);
  for (const f of candidates) {
    try {
      const { mime } = formatFacts(f);
      const blob = await canvas.convertToBlob({ type: mime });
      if (blob.type === mime) out.push(f);
    } catch {
      // Not encodable here.
    }
  }
  return out;
}
