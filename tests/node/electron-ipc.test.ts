import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeChannels, PayloadError, type EventName, type InvokeName } from '../../electron/contract';
import { ExportQueue } from '../../electron/export-jobs';
import type { WorkerSetup } from '../../electron/export-protocol';
import { createIpcHandlers, dispatch, type IpcHandlers, type NativeShell } from '../../electron/ipc-handlers';
import { locateModel, readModelBundle } from '../../electron/model-lookup';
import { PathGuard, PathRefusedError } from '../../electron/path-guard';
import { RecentAlbums } from '../../electron/recent';
import { AdjustmentsStore, SettingsStore } from '../../electron/settings-store';
import { EVENT_NAMES, INVOKE_NAMES, invokeNameOf, validateEvent, validateRequest } from '../../electron/validate';

const adj = { strength: 80, distance: 0, protect: 10, exposure: 0 };
const exportOptions = { format: 'jpeg', quality: 90, maxSize: null, outFolder: '/tmp/out', suffix: '-dehazed', onExisting: 'rename' };

/** One well-formed request per channel: proves the validators are not simply rejecting everything. */
const VALID: Record<InvokeName, unknown> = {
  openPhotosDialog: undefined,
  openFolderDialog: { recursive: true },
  listAlbum: { folder: '/photos', recursive: false },
  describeFiles: { paths: ['/photos/a.jpg'] },
  getRecentAlbums: undefined,
  openRecentAlbum: { folder: '/photos' },
  clearRecentAlbums: undefined,
  readPreview: { path: '/photos/a.jpg', maxSide: 2048 },
  readThumbnail: { path: '/photos/a.jpg', size: 160 },
  loadModel: undefined,
  chooseOutputFolder: { defaultPath: null },
  startExport: { items: [{ path: '/photos/a.jpg', adjustments: adj }], options: exportOptions },
  cancelExport: { jobId: 'abc' },
  openInFileManager: { path: '/photos' },
  getSettings: undefined,
  setSettings: { export: { quality: 80 }, ui: { theme: 'dark' } },
  getAdjustments: { photos: [{ path: '/photos/a.jpg', mtimeMs: 1 }] },
  setAdjustments: { photo: { path: '/photos/a.jpg', mtimeMs: 1 }, adjustments: adj },
  setTaskbarProgress: { progress: 0.5 },
  grantDropped: { paths: ['/photos/a.jpg'] },
};

const GENERIC_BAD: unknown[] = [null, 42, 'x', [], { extra: true }, Object.create({ polluted: 1 })];

/** Channel-specific malformed payloads: wrong types, missing or extra keys, out-of-range values. */
const INVALID: Record<InvokeName, unknown[]> = {
  openPhotosDialog: [{}],
  openFolderDialog: [{}, { recursive: 'yes' }, { recursive: true, folder: '/x' }],
  listAlbum: [{ folder: '/photos' }, { folder: '', recursive: false }, { folder: 7, recursive: false }, { folder: '/a\0b', recursive: true }],
  describeFiles: [{ paths: '/photos/a.jpg' }, { paths: [1] }, { paths: [''] }],
  getRecentAlbums: [{}],
  openRecentAlbum: [{ folder: null }, {}],
  clearRecentAlbums: [{ all: true }],
  readPreview: [{ path: '/a.jpg' }, { path: '/a.jpg', maxSide: 0 }, { path: '/a.jpg', maxSide: 1.5 }, { path: '/a.jpg', maxSide: '512' }, { path: '/a.jpg', maxSide: Infinity }],
  readThumbnail: [{ path: '/a.jpg', size: 5000 }, { path: '/a.jpg' }, { path: '/a.jpg', size: NaN }],
  loadModel: [{ file: '/etc/passwd' }],
  chooseOutputFolder: [{}, { defaultPath: 3 }],
  startExport: [
    { items: [], options: exportOptions },
    { items: [{ path: '/a.jpg', adjustments: adj }] },
    { items: [{ path: '/a.jpg', adjustments: { ...adj, strength: 1000 } }], options: exportOptions },
    { items: [{ path: '/a.jpg', adjustments: { ...adj, extra: 1 } }], options: exportOptions },
    { items: [{ path: '/a.jpg', adjustments: { strength: 1 } }], options: exportOptions },
    { items: [{ path: '/a.jpg', adjustments: adj }], options: { ...exportOptions, format: 'gif' } },
    { items: [{ path: '/a.jpg', adjustments: adj }], options: { ...exportOptions, quality: 0 } },
    { items: [{ path: '/a.jpg', adjustments: adj }], options: { ...exportOptions, quality: 101 } },
    { items: [{ path: '/a.jpg', adjustments: adj }], options: { ...exportOptions, maxSize: -1 } },
    { items: [{ path: '/a.jpg', adjustments: adj }], options: { ...exportOptions, suffix: '/../../evil' } },
    { items: [{ path: '/a.jpg', adjustments: adj }], options: { ...exportOptions, suffix: 'a\\b' } },
    { items: [{ path: '/a.jpg', adjustments: adj }], options: { ...exportOptions, onExisting: 'clobber' } },
    { items: [{ path: '/a.jpg', adjustments: adj }], options: { ...exportOptions, outFolder: '' } },
  ],
  cancelExport: [{ jobId: '' }, { jobId: 5 }, {}],
  openInFileManager: [{ path: '' }, { folder: '/x' }],
  getSettings: [{}],
  setSettings: [
    { export: { quality: 500 } },
    { export: { format: 'bmp' } },
    { export: { unknown: 1 } },
    { recursive: 'true' },
    { ui: { nested: { deep: true } } },
    { ui: [] },
    { theme: 'dark' },
  ],
  getAdjustments: [{ photos: [{ path: '/a.jpg' }] }, { photos: [{ path: '/a.jpg', mtimeMs: -1 }] }, { photos: null }],
  setAdjustments: [
    { photo: { path: '/a.jpg', mtimeMs: 1 } },
    { photo: { path: '/a.jpg', mtimeMs: 1 }, adjustments: { ...adj, protect: -5 } },
    { photo: { path: '/a.jpg', mtimeMs: 1 }, adjustments: { ...adj, exposure: '0' } },
  ],
  setTaskbarProgress: [{ progress: 2 }, { progress: -0.1 }, { progress: '0.5' }, {}],
  grantDropped: [{ paths: [] }, { paths: [null] }, { paths: 'a' }],
};

describe('request validators', () => {
  it('cover every channel', () => {
    expect(Object.keys(VALID).sort()).toEqual([...INVOKE_NAMES].sort());
    expect(Object.keys(INVALID).sort()).toEqual([...INVOKE_NAMES].sort());
  });

  it('accept a well-formed request on every channel', () => {
    for (const name of INVOKE_NAMES) expect(() => validateRequest(name, VALID[name]), name).not.toThrow();
  });

  it('reject malformed requests on every channel', () => {
    for (const name of INVOKE_NAMES) {
      for (const bad of [...GENERIC_BAD, ...INVALID[name]]) {
        expect(() => validateRequest(name, bad), `${name} ${JSON.stringify(bad)}`).toThrow(PayloadError);
      }
    }
  });

  it('map channel strings back to names and refuse unknown channels', () => {
    for (const name of INVOKE_NAMES) expect(invokeNameOf(invokeChannels[name].channel)).toBe(name);
    expect(new Set(INVOKE_NAMES.map((n) => invokeChannels[n].channel)).size).toBe(INVOKE_NAMES.length);
    expect(invokeNameOf('hazeless:fs/read')).toBeUndefined();
  });
});

describe('event validators', () => {
  const VALID_EVENTS: Record<EventName, unknown> = {
    exportProgress: { jobId: 'j', done: 1, total: 3, stage: 'render', file: '/a.jpg', fileDone: 5, fileTotal: 10, etaSeconds: 4.5 },
    exportFileResult: { jobId: 'j', path: '/a.jpg', status: 'failed', reason: 'truncated' },
    exportDone: { jobId: 'j', ok: 2, skipped: 0, failed: 1, cancelled: false, outFolder: '/out' },
    menuCommand: 'zoom-in',
  };
  const INVALID_EVENTS: Record<EventName, unknown[]> = {
    exportProgress: [{ ...(VALID_EVENTS.exportProgress as object), stage: 'dance' }, { ...(VALID_EVENTS.exportProgress as object), done: -1 }],
    exportFileResult: [
      { jobId: 'j', path: '/a.jpg', status: 'ok', reason: 'x' },
      { jobId: 'j', path: '/a.jpg', status: 'weird', reason: 'x' },
      { jobId: 'j', path: '/a.jpg', status: 'failed' },
    ],
    exportDone: [{ jobId: 'j', ok: 1 }],
    menuCommand: ['rm -rf', 3],
  };
  it('accept good and reject bad payloads on every event', () => {
    for (const name of EVENT_NAMES) {
      expect(() => validateEvent(name, VALID_EVENTS[name])).not.toThrow();
      for (const bad of [...GENERIC_BAD, ...INVALID_EVENTS[name]]) {
        expect(() => validateEvent(name, bad), `${name} ${JSON.stringify(bad)}`).toThrow(PayloadError);
      }
    }
  });
});

describe('IPC handlers with the path guard', () => {
  let base: string;
  let album: string;
  let outside: string;
  let handlers: IpcHandlers;
  let guard: PathGuard;
  const picks: { folder: string | null; photos: string[] | null } = { folder: null, photos: null };
  const opened: string[] = [];
  const progress: (number | null)[] = [];

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'hazeless-ipc-'));
    album = path.join(base, 'album');
    outside = path.join(base, 'outside');
    await mkdir(album);
    await mkdir(outside);
    await copyFile(path.resolve('../shared/data/real/cones.jpg'), path.join(album, 'cones.jpg'));
    await copyFile(path.resolve('../shared/data/real/swan.jpg'), path.join(outside, 'swan.jpg'));
    await writeFile(path.join(outside, 'secret.txt'), 'secret');
    await symlink(outside, path.join(album, 'sneaky'));
    guard = new PathGuard();
    const userData = path.join(base, 'userData');
    // The OS side: what a user would pick in the native dialogs.
    const native: NativeShell = {
      pickPhotos: async () => picks.photos,
      pickFolder: async () => picks.folder,
      openFolder: async (f) => {
        opened.push(f);
        return true;
      },
      setProgress: (p) => progress.push(p),
    };
    const model = await locateModel({ isPackaged: false, resourcesPath: '', appPath: process.cwd() });
    handlers = createIpcHandlers({
      guard,
      native,
      settings: new SettingsStore(userData),
      adjustments: new AdjustmentsStore(userData),
      recent: new RecentAlbums(userData),
      loadModel: () => readModelBundle(model),
      exports: new ExportQueue({
        createWorker: (setup: WorkerSetup) => new Worker('', { eval: true, workerData: setup }),
        manifestPath: async () => model.manifestPath,
        events: { progress: () => {}, fileResult: () => {}, done: () => {} },
      }),
    });
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  const call = <N extends InvokeName>(name: N, payload: unknown) => dispatch(handlers, name, payload, true);

  it('refuses requests from a frame that is not the app', async () => {
    await expect(dispatch(handlers, 'getSettings', undefined, false)).rejects.toThrow(/sender/);
  });

  it('refuses every path before the user opened anything', async () => {
    const photo = path.join(album, 'cones.jpg');
    await expect(call('readPreview', { path: photo, maxSide: 256 })).rejects.toBeInstanceOf(PathRefusedError);
    await expect(call('readThumbnail', { path: photo, size: 64 })).rejects.toBeInstanceOf(PathRefusedError);
    await expect(call('listAlbum', { folder: album, recursive: false })).rejects.toBeInstanceOf(PathRefusedError);
    await expect(call('openRecentAlbum', { folder: album })).rejects.toBeInstanceOf(PathRefusedError);
  });

  it('grants the folder picked in the dialog and serves it, and nothing outside it', async () => {
    picks.folder = album;
    const listing = await call('openFolderDialog', { recursive: true });
    expect(listing?.files.map((f) => f.name)).toEqual(['cones.jpg']);
    const photo = path.join(album, 'cones.jpg');
    const preview = await call('readPreview', { path: photo, maxSide: 128 });
    expect(Math.max(preview.width, preview.height)).toBe(128);
    expect((await call('readThumbnail', { path: photo, size: 64 })).jpeg.byteLength).toBeGreaterThan(100);
    expect((await call('getRecentAlbums', undefined))[0].folder).toBe(listing?.folder);

    const refusals: [InvokeName, unknown][] = [
      ['readPreview', { path: path.join(outside, 'swan.jpg'), maxSide: 128 }],
      ['readPreview', { path: path.join(album, '..', 'outside', 'swan.jpg'), maxSide: 128 }],
      ['readPreview', { path: path.join(album, 'sneaky', 'swan.jpg'), maxSide: 128 }],
      ['readThumbnail', { path: path.join(outside, 'secret.txt'), size: 64 }],
      ['describeFiles', { paths: [photo, path.join(outside, 'swan.jpg')] }],
      ['listAlbum', { folder: outside, recursive: true }],
      ['listAlbum', { folder: path.join(album, 'sneaky'), recursive: true }],
      ['openInFileManager', { path: outside }],
      ['openRecentAlbum', { folder: outside }],
      ['setAdjustments', { photo: { path: path.join(outside, 'swan.jpg'), mtimeMs: 1 }, adjustments: adj }],
      ['startExport', { items: [{ path: path.join(outside, 'swan.jpg'), adjustments: adj }], options: { ...exportOptions, outFolder: album } }],
      ['startExport', { items: [{ path: photo, adjustments: adj }], options: { ...exportOptions, outFolder: outside } }],
      ['startExport', { items: [{ path: photo, adjustments: adj }], options: { ...exportOptions, outFolder: path.join(outside, 'new') } }],
      ['startExport', { items: [{ path: photo, adjustments: adj }], options: { ...exportOptions, outFolder: path.join(album, 'sneaky', 'new') } }],
      ['setSettings', { export: { outFolder: outside } }],
      ['readPreview', { path: 'cones.jpg', maxSide: 128 }],
    ];
    for (const [name, payload] of refusals) {
      await expect(call(name, payload), `${name} ${JSON.stringify(payload)}`).rejects.toBeInstanceOf(PathRefusedError);
    }
    expect(opened).toEqual([]);
    await call('openInFileManager', { path: album });
    expect(opened).toEqual([listing?.folder]);
  });

  it('grants dropped paths, and files picked in the photo dialog, one by one', async () => {
    const swan = path.join(outside, 'swan.jpg');
    picks.photos = [swan];
    expect(await call('openPhotosDialog', undefined)).toEqual([swan]);
    expect((await call('readPreview', { path: swan, maxSide: 64 })).width).toBe(64);
    await expect(call('readThumbnail', { path: path.join(outside, 'secret.txt'), size: 64 })).rejects.toBeInstanceOf(PathRefusedError);
    const granted = await call('grantDropped', { paths: [outside, path.join(base, 'does-not-exist')] });
    expect(granted).toEqual({ files: [], folders: [outside] });
    await expect(call('listAlbum', { folder: outside, recursive: false })).resolves.toMatchObject({ folder: outside });
  });

  it('keeps settings and per-photo adjustments, and validates the remembered output folder', async () => {
    const out = path.join(album, 'Dehazed');
    const s = await call('setSettings', { export: { outFolder: out, format: 'png' } });
    expect(s.export).toMatchObject({ outFolder: out, format: 'png' });
    const key = { path: path.join(album, 'cones.jpg'), mtimeMs: 5 };
    expect(await call('setAdjustments', { photo: key, adjustments: adj })).toBe(true);
    expect(await call('getAdjustments', { photos: [key, { ...key, mtimeMs: 6 }] })).toEqual([adj, null]);
    await call('setTaskbarProgress', { progress: 0.25 });
    await call('setTaskbarProgress', { progress: null });
    expect(progress).toEqual([0.25, null]);
  });

  it('hands the renderer the model manifest and bytes', async () => {
    const bundle = await call('loadModel', undefined);
    expect((bundle.manifest as { input: { name: string } }).input.name).toBeTypeOf('string');
    expect(bundle.onnx.byteLength).toBeGreaterThan(100_000);
  });
});
