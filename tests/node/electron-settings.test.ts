import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS } from '../../common/contract';
import { writeJsonAtomic } from '../../electron/json-file';
import { MAX_RECENT, RecentAlbums } from '../../electron/recent';
import { AdjustmentsStore, SettingsStore, sanitizeSettings } from '../../electron/settings-store';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hazeless-settings-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('SettingsStore', () => {
  it('starts from defaults, persists patches atomically and reloads them', async () => {
    const s = new SettingsStore(dir);
    expect(await s.get()).toEqual(DEFAULT_SETTINGS);
    await s.update({ export: { format: 'webp', quality: 80 }, ui: { theme: 'dark' } });
    await s.update({ recursive: true, ui: { split: 0.5 } });
    const reloaded = await new SettingsStore(dir).get();
    expect(reloaded.export.format).toBe('webp');
    expect(reloaded.export.quality).toBe(80);
    expect(reloaded.export.suffix).toBe(DEFAULT_SETTINGS.export.suffix);
    expect(reloaded.recursive).toBe(true);
    expect(reloaded.ui).toEqual({ theme: 'dark', split: 0.5 });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('refuses a patch that would make settings invalid and keeps the old ones', async () => {
    const s = new SettingsStore(dir);
    await expect(s.update({ export: { quality: 500 } })).rejects.toThrow();
    expect((await s.get()).export.quality).toBe(DEFAULT_SETTINGS.export.quality);
  });

  it('keeps valid fields of a hand-edited file and recovers from a corrupt one', async () => {
    await writeFile(
      path.join(dir, 'settings.json'),
      JSON.stringify({ export: { format: 'png', quality: 'high', onExisting: 'skip' }, recursive: 'yes', extra: 1 }),
    );
    const s = await new SettingsStore(dir).get();
    expect(s.export.format).toBe('png');
    expect(s.export.onExisting).toBe('skip');
    expect(s.export.quality).toBe(DEFAULT_SETTINGS.export.quality);
    expect(s.recursive).toBe(false);
    await writeFile(path.join(dir, 'settings.json'), '{"export": {"form');
    expect(await new SettingsStore(dir).get()).toEqual(DEFAULT_SETTINGS);
    expect(await readFile(path.join(dir, 'settings.json.corrupt'), 'utf8')).toContain('form');
    expect(sanitizeSettings(null)).toEqual(DEFAULT_SETTINGS);
  });

  it('concurrent writes land in order', async () => {
    const file = path.join(dir, 'x.json');
    await Promise.all(Array.from({ length: 20 }, (_, i) => writeJsonAtomic(file, { i })));
    const s = new SettingsStore(dir);
    const updates = Array.from({ length: 10 }, (_, i) => s.update({ export: { quality: 50 + i } }));
    await Promise.all(updates);
    expect((await new SettingsStore(dir).get()).export.quality).toBe(59);
  });
});

describe('AdjustmentsStore', () => {
  it('keys by path + mtime and survives a restart', async () => {
    const a = new AdjustmentsStore(dir, { flushDelayMs: 10 });
    const key = { path: '/photos/a.jpg', mtimeMs: 1700000000123.4 };
    await a.set(key, { strength: 70, distance: 10, protect: 20, exposure: -5 });
    await a.flush();
    const b = new AdjustmentsStore(dir);
    expect(await b.get([key, { path: '/photos/a.jpg', mtimeMs: 1700000099999 }, { path: '/photos/b.jpg', mtimeMs: 1 }])).toEqual([
      { strength: 70, distance: 10, protect: 20, exposure: -5 },
      null,
      null,
    ]);
    await b.set(key, null);
    await b.flush();
    expect(await new AdjustmentsStore(dir).get([key])).toEqual([null]);
  });

  it('drops the oldest entries beyond the cap', async () => {
    const a = new AdjustmentsStore(dir, { maxEntries: 3 });
    for (let i = 0; i < 5; i++) {
      await a.set({ path: `/p/${i}.jpg`, mtimeMs: 1 }, { strength: i, distance: 0, protect: 0, exposure: 0 });
      await new Promise((r) => setTimeout(r, 2));
    }
    await a.flush();
    const got = await new AdjustmentsStore(dir).get([0, 1, 2, 3, 4].map((i) => ({ path: `/p/${i}.jpg`, mtimeMs: 1 })));
    expect(got.map((g) => g?.strength ?? null)).toEqual([null, null, 2, 3, 4]);
  });
});

describe('RecentAlbums', () => {
  it('keeps the most recent first, deduplicated and capped', async () => {
    let t = 0;
    const r = new RecentAlbums(dir, () => ++t);
    for (let i = 0; i < MAX_RECENT + 3; i++) await r.addOpenedInDialog(`/albums/${i}`, i % 2 === 0);
    await r.addOpenedInDialog('/albums/5', true);
    const list = await new RecentAlbums(dir).get();
    expect(list).toHaveLength(MAX_RECENT);
    expect(list[0]).toMatchObject({ folder: '/albums/5', recursive: true });
    expect(list.filter((x) => x.folder === '/albums/5')).toHaveLength(1);
    expect(list.map((x) => x.folder)).not.toContain('/albums/0');
    expect(await r.find('/albums/7')).toBeTruthy();
    expect(await r.clear()).toEqual([]);
    expect(await new RecentAlbums(dir).get()).toEqual([]);
  });
});
