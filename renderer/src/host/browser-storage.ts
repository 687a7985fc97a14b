/** Browser mode remembers per-photo sliders and export settings in localStorage. */
import { DEFAULT_SETTINGS } from '../../../common/contract';
import type { Adjustments } from '../../../engine/types';
import { clampAdjustments } from '../../../engine/adjustments';
import type { ExportSettings } from './host';

const PREFIX = 'hazeless:';

function read(key: string): unknown {
  try {
    const raw = localStorage.getItem(PREFIX + key);
    return raw === null ? null : (JSON.parse(raw) as unknown);
  } catch {
    return null;
  }
}

function write(key: string, value: unknown): void {
  try {
    if (value === null) localStorage.removeItem(PREFIX + key);
    else localStorage.setItem(PREFIX + key, JSON.stringify(value));
  } catch {
    // Storage full or disabled: settings just are not remembered.
  }
}

/** A file is recognised by name, size and modification time (no paths in a browser). */
export function fileKey(file: File): string {
  return `adj:${file.name}:${file.size}:${file.lastModified}`;
}

export function loadAdjustments(file: File): Adjustments | null {
  const v = read(fileKey(file));
  return v && typeof v === 'object' ? clampAdjustments(v as Partial<Adjustments>) : null;
}

export function saveAdjustments(file: File, adjustments: Adjustments | null): void {
  write(fileKey(file), adjustments);
}

export function loadExportSettings(): ExportSettings {
  const v = read('export');
  const merged = { ...DEFAULT_SETTINGS.export, ...(v && typeof v === 'object' ? (v as Partial<ExportSettings>) : {}) };
  return { ...merged, outFolder: null };
}

export function saveExportSettings(settings: ExportSettings): void {
  write('export', { ...settings, outFolder: null });
}
