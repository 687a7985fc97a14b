// App settings and per-photo slider values, persisted as JSON in userData with atomic writes.
// Stored data is re-validated on load: a file from an older/newer version or edited by hand
// keeps every field that is still valid and falls back to defaults for the rest.

import path from 'node:path';
import {
  adjustmentsSchema,
  DEFAULT_SETTINGS,
  isValid,
  settingsSchema,
  type Adjustments,
  type AppSettings,
  type PhotoKey,
  type SettingsPatch,
} from '../common/contract';
import { JsonFile } from './json-file';

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Keeps each stored field that still validates, defaults elsewhere. */
export function sanitizeSettings(raw: unknown): AppSettings {
  const out: AppSettings = structuredClone(DEFAULT_SETTINGS);
  if (!isRecord(raw)) return out;
  const candidate = (apply: (s: AppSettings) => void): void => {
    const trial = structuredClone(out);
    apply(trial);
    if (isValid(settingsSchema, trial)) apply(out);
  };
  if (isRecord(raw.export)) {
    const ex = raw.export;
    for (const k of Object.keys(out.export) as (keyof AppSettings['export'])[]) {
      if (k in ex) candidate((s) => Object.assign(s.export, { [k]: ex[k] }));
    }
  }
  if ('recursive' in raw) candidate((s) => Object.assign(s, { recursive: raw.recursive }));
  if ('ui' in raw) candidate((s) => Object.assign(s, { ui: raw.ui }));
  return out;
}

export function applySettingsPatch(current: AppSettings, patch: SettingsPatch): AppSettings {
  const next = structuredClone(current);
  if (patch.export) {
    for (const [k, v] of Object.entries(patch.export)) {
      if (v !== undefined) Object.assign(next.export, { [k]: v });
    }
  }
  if (patch.recursive !== undefined) next.recursive = patch.recursive;
  if (patch.ui) next.ui = { ...next.ui, ...patch.ui };
  if (!isValid(settingsSchema, next)) throw new Error('settings patch produced invalid settings');
  return next;
}

export class SettingsStore {
  private readonly file: JsonFile<AppSettings>;
  /** The settings as last loaded or written; null until first needed (or after a failed read). */
  private settings: Promise<AppSettings> | null = null;
  /** Updates apply one after another in call order: each patch sees the one before it. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(userDataDir: string) {
    this.file = new JsonFile(path.join(userDataDir, 'settings.json'));
  }

  async get(): Promise<AppSettings> {
    return structuredClone(await this.load());
  }

  update(patch: SettingsPatch): Promise<AppSettings> {
    const run = async (): Promise<AppSettings> => {
      const next = applySettingsPatch(await this.load(), patch);
      this.settings = Promise.resolve(next);
      await this.file.write(next);
      return structuredClone(next);
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private load(): Promise<AppSettings> {
    this.settings ??= this.file.read().then(sanitizeSettings, (err: unknown) => {
      this.settings = null; // a failed read is tried again next time
      throw err;
    });
    return this.settings;
  }
}

interface StoredAdjustment {
  adjustments: Adjustments;
  updatedAt: number;
}

export function photoKeyString(key: PhotoKey): string {
  // mtime in whole milliseconds: sub-ms jitter between stat calls must not orphan the entry.
  return `${key.path}\n${Math.round(key.mtimeMs)}`;
}

/**
 * Slider values per photo, keyed by path + mtime so an edited/replaced file starts fresh.
 * Slider drags send many updates: writes are coalesced and the oldest entries are dropped
 * beyond `maxEntries`.
 */
export class AdjustmentsStore {
  private readonly file: JsonFile<{ version: 1; entries: Record<string, StoredAdjustment> }>;
  private entries: Map<string, StoredAdjustment> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    userDataDir: string,
    private readonly options: { maxEntries?: number; flushDelayMs?: number } = {},
  ) {
    this.file = new JsonFile(path.join(userDataDir, 'adjustments.json'));
  }

  private async load(): Promise<Map<string, StoredAdjustment>> {
    if (this.entries) return this.entries;
    const raw = await this.file.read();
    const map = new Map<string, StoredAdjustment>();
    if (isRecord(raw) && isRecord(raw.entries)) {
      for (const [k, v] of Object.entries(raw.entries)) {
        if (isRecord(v) && isValid(adjustmentsSchema, v.adjustments) && typeof v.updatedAt === 'number') {
          map.set(k, { adjustments: v.adjustments, updatedAt: v.updatedAt });
        }
      }
    }
    this.entries ??= map;
    return this.entries;
  }

  async get(keys: PhotoKey[]): Promise<(Adjustments | null)[]> {
    const map = await this.load();
    return keys.map((k) => {
      const hit = map.get(photoKeyString(k));
      return hit ? { ...hit.adjustments } : null;
    });
  }

  async set(key: PhotoKey, adjustments: Adjustments | null): Promise<void> {
    const map = await this.load();
    const k = photoKeyString(key);
    if (adjustments) map.set(k, { adjustments: { ...adjustments }, updatedAt: Date.now() });
    else map.delete(k);
    const max = this.options.maxEntries ?? 20_000;
    if (map.size > max) {
      const oldest = [...map.entries()].sort((a, b) => a[1].updatedAt - b[1].updatedAt).slice(0, map.size - max);
      for (const [old] of oldest) map.delete(old);
    }
    this.scheduleFlush();
  }

  private scheduleFlush(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.options.flushDelayMs ?? 400);
  }

  /** Writes pending changes now (call on quit). */
  async flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (!this.entries) return this.pending;
    const snapshot = { version: 1 as const, entries: Object.fromEntries(this.entries) };
    this.pending = this.file.write(snapshot);
    return this.pending;
  }
}
