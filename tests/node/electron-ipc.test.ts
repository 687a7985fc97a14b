import { copyFile, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeChannels, PayloadError, type EventName, type InvokeName } from '../../common/contract';
import { createIpcHandlers, dispatch, type IpcHandlers, type MainServices, type NativeShell } from '../../electron/ipc-handlers';
import { createMainServices } from '../../electron/main-services';
import { PathRefusedError } from '../../electron/path-guard';
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

/**
 * main's services over `userData`, built as main builds them (createMainServices). The export
 * worker here exits at once: a job that gets past the guard writes nothing.
 */
function mainServices(userData: string, native: NativeShell): Promise<MainServices> {
  return createMainServices({
    userData,
    location: { isPackaged: false, resourcesPath: '', appPath: process.cwd() },
    native,
    workerEntry: new URL('data:text/javascript,'),
    send: () => {},
  });
}

describe('IPC handlers with the path guard', () => {
  let base: string;
  let album: string;
  let outside: string;
  let handlers: IpcHandlers;
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
    const userData = path.join(base, 'userData');
    // The OS side: what a user would pick in the native dialogs.
    const native: NativeShell = {
      pickPhotos: async () => picks.photos,
      pickFolder: async () => picks.folder,
      confirmOpenFolders: async () => true,
      openFolder: async (f) => {
        opened.push(f);
        return true;
      },
      setProgress: (p) => progress.push(p),
    };
    handlers = createIpcHandlers(await mainServices(userData, native));
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
    await expect(call('setSettings', { export: { outFolder: out } })).rejects.toBeInstanceOf(PathRefusedError);
    await mkdir(out);
    picks.folder = out;
    expect(await call('chooseOutputFolder', { defaultPath: null })).toBe(out);
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

// A compromised renderer can send any payload the schemas accept. Whatever it sends, main must
// let it read only image files the user opened or dropped and folders the user opened, and write
// only into a folder the user chose in main's export dialog.
describe('IPC handlers against a compromised renderer', () => {
  let base: string;
  let album: string;
  let outside: string;
  let exportsDir: string;
  let userData: string;
  const answers = { folder: null as string | null, confirm: false };
  const asked: string[][] = [];
  const opened: string[] = [];
  const seeds: (string | null)[] = [];

  beforeAll(async () => {
    base = await mkdtemp(path.join(tmpdir(), 'hazeless-attack-'));
    album = path.join(base, 'album');
    outside = path.join(base, 'outside');
    exportsDir = path.join(base, 'exports');
    userData = path.join(base, 'userData');
    for (const d of [album, outside, exportsDir, path.join(outside, 'sub'), path.join(album, 'Evil.app', 'Contents', 'MacOS')]) {
      await mkdir(d, { recursive: true });
    }
    await copyFile(path.resolve('../shared/data/real/cones.jpg'), path.join(album, 'cones.jpg'));
    await copyFile(path.resolve('../shared/data/real/swan.jpg'), path.join(outside, 'swan.jpg'));
    await writeFile(path.join(outside, 'secret.txt'), 'secret');
    await writeFile(path.join(album, 'fake.jpg'), 'not an image, only named like one');
    await writeFile(path.join(album, 'Evil.app', 'Contents', 'Info.plist'), '<plist/>');
    await writeFile(path.join(album, 'Evil.app', 'Contents', 'MacOS', 'Evil'), '#!/bin/sh\n');
    await symlink(path.join(outside, 'swan.jpg'), path.join(album, 'link.jpg'));
    await symlink(outside, path.join(album, 'sneaky'));
  });
  afterAll(async () => {
    await rm(base, { recursive: true, force: true });
  });

  /** main as it starts: a fresh guard, the stores in userData, what it re-grants at start. */
  async function startMain(): Promise<(name: InvokeName, payload: unknown) => Promise<unknown>> {
    const native: NativeShell = {
      pickPhotos: async () => null,
      pickFolder: async (_title, defaultPath) => {
        seeds.push(defaultPath);
        return answers.folder;
      },
      confirmOpenFolders: async (folders) => {
        asked.push(folders);
        return answers.confirm;
      },
      openFolder: async (f) => {
        opened.push(f);
        return true;
      },
      setProgress: () => {},
    };
    const h = createIpcHandlers(await mainServices(userData, native));
    return (name, payload) => dispatch(h, name, payload, true) as Promise<unknown>;
  }

  const exportTo = (outFolder: string, photo = path.join(album, 'cones.jpg')) => ({
    items: [{ path: photo, adjustments: adj }],
    options: { ...exportOptions, outFolder },
  });

  it('a forged drop of folders grants none that the user does not confirm in main', async () => {
    const call = await startMain();
    answers.confirm = false;
    asked.length = 0;
    expect(await call('grantDropped', { paths: ['/', '/root', outside, album] })).toEqual({ files: [], folders: [] });
    expect(asked.flat()).toContain(outside);
    for (const [name, payload] of [
      ['listAlbum', { folder: '/', recursive: false }],
      ['listAlbum', { folder: outside, recursive: false }],
      ['readPreview', { path: path.join(outside, 'swan.jpg'), maxSide: 64 }],
      ['describeFiles', { paths: [path.join(outside, 'swan.jpg')] }],
      ['startExport', exportTo(outside, path.join(outside, 'swan.jpg'))],
    ] as [InvokeName, unknown][]) {
      await expect(call(name, payload), name).rejects.toBeInstanceOf(PathRefusedError);
    }
  });

  it('a forged drop of files grants single image files only, each checked on disk', async () => {
    const call = await startMain();
    const cones = path.join(album, 'cones.jpg');
    const dropped = [
      path.join(outside, 'secret.txt'), // not an image
      path.join(album, 'fake.jpg'), // an image name, not an image
      path.join(album, 'link.jpg'), // a symlink to an image elsewhere
      `${album}/../outside/swan.jpg`, // not a path a drop produces
      path.join(base, 'nope.jpg'), // does not exist
      cones,
    ];
    expect(await call('grantDropped', { paths: dropped })).toEqual({ files: [cones], folders: [] });
    for (const p of [path.join(outside, 'swan.jpg'), path.join(outside, 'secret.txt'), path.join(album, 'fake.jpg')]) {
      await expect(call('readPreview', { path: p, maxSide: 64 }), p).rejects.toBeInstanceOf(PathRefusedError);
    }
    await expect(call('listAlbum', { folder: album, recursive: false })).rejects.toBeInstanceOf(PathRefusedError);
    expect(((await call('readPreview', { path: cones, maxSide: 64 })) as { width: number }).width).toBe(64);
  });

  it('a folder drop the user confirms is readable in this session only, never through the recent list', async () => {
    let call = await startMain();
    answers.confirm = true;
    asked.length = 0;
    expect(await call('grantDropped', { paths: [outside] })).toEqual({ files: [], folders: [outside] });
    expect(asked).toEqual([[outside]]);
    await expect(call('listAlbum', { folder: outside, recursive: false })).resolves.toMatchObject({ folder: outside });
    expect(((await call('getRecentAlbums', undefined)) as { folder: string }[]).map((r) => r.folder)).not.toContain(outside);
    call = await startMain();
    await expect(call('openRecentAlbum', { folder: outside })).rejects.toBeInstanceOf(PathRefusedError);
    await expect(call('listAlbum', { folder: outside, recursive: false })).rejects.toBeInstanceOf(PathRefusedError);
    answers.confirm = false;
  });

  it('re-grants after a restart only recent albums that were opened in the folder dialog', async () => {
    let call = await startMain();
    answers.folder = album;
    await call('openFolderDialog', { recursive: false });
    call = await startMain();
    await expect(call('openRecentAlbum', { folder: album })).resolves.toMatchObject({ folder: album });
    // A recent list without that record (as an earlier version wrote it, dropped folders too).
    await writeFile(path.join(userData, 'recent-albums.json'), JSON.stringify([{ folder: '/', recursive: true, openedAt: 1 }]));
    call = await startMain();
    await expect(call('openRecentAlbum', { folder: '/' })).rejects.toBeInstanceOf(PathRefusedError);
    await expect(call('listAlbum', { folder: '/', recursive: false })).rejects.toBeInstanceOf(PathRefusedError);
  });

  it('writes only into a folder chosen in main’s export dialog, also after a restart', async () => {
    let call = await startMain();
    answers.folder = album;
    await call('openFolderDialog', { recursive: false });
    // Folders the renderer merely names, even the album the user opened for reading.
    for (const out of [album, path.join(album, 'Dehazed'), outside, path.join(outside, 'new'), path.join(album, 'sneaky'), '/tmp']) {
      await expect(call('startExport', exportTo(out)), out).rejects.toBeInstanceOf(PathRefusedError);
      await expect(call('setSettings', { export: { outFolder: out } }), out).rejects.toBeInstanceOf(PathRefusedError);
    }
    answers.folder = exportsDir;
    // The renderer cannot steer the dialog to a folder it may not touch.
    expect(await call('chooseOutputFolder', { defaultPath: outside })).toBe(exportsDir);
    expect(await call('chooseOutputFolder', { defaultPath: exportsDir })).toBe(exportsDir);
    expect(seeds.slice(-2)).toEqual([null, exportsDir]);
    for (const out of [path.join(exportsDir, 'sub'), `${exportsDir}/../outside`]) {
      await expect(call('startExport', exportTo(out)), out).rejects.toBeInstanceOf(PathRefusedError);
    }
    const { jobId } = (await call('startExport', exportTo(exportsDir))) as { jobId: string };
    await call('cancelExport', { jobId });
    await call('setSettings', { export: { outFolder: exportsDir } });

    // After a restart the remembered folder is writable again; a settings file naming another
    // folder (not chosen in the dialog) grants nothing.
    call = await startMain();
    await call('openRecentAlbum', { folder: album });
    const again = (await call('startExport', exportTo(exportsDir))) as { jobId: string };
    await call('cancelExport', { jobId: again.jobId });
    const settingsFile = path.join(userData, 'settings.json');
    const stored = JSON.parse(await readFile(settingsFile, 'utf8'));
    await writeFile(settingsFile, JSON.stringify({ ...stored, export: { ...stored.export, outFolder: outside } }));
    call = await startMain();
    await call('openRecentAlbum', { folder: album });
    await expect(call('startExport', exportTo(outside))).rejects.toBeInstanceOf(PathRefusedError);
    // Forgotten, so the next export asks for a folder.
    expect(((await call('getSettings', undefined)) as { export: { outFolder: string | null } }).export.outFolder).toBeNull();
  });

  it('refuses alike whether or not a path exists', async () => {
    const call = await startMain();
    answers.folder = album;
    await call('openFolderDialog', { recursive: false });
    const refusal = async (name: InvokeName, payload: unknown, requested: string): Promise<string> => {
      const e = await call(name, payload).catch((x: unknown) => x);
      expect(e, requested).toBeInstanceOf(PathRefusedError);
      return (e as Error).message.replace(JSON.stringify(requested), '<path>');
    };
    const pairs: [string, string][] = [
      [path.join(outside, 'sub', 'x'), path.join(outside, 'nothere', 'x')],
      [path.join(outside, 'sub'), path.join(outside, 'nothere')],
    ];
    for (const [exists, missing] of pairs) {
      expect(await refusal('startExport', exportTo(exists), exists)).toBe(await refusal('startExport', exportTo(missing), missing));
      expect(await refusal('setSettings', { export: { outFolder: exists } }, exists)).toBe(
        await refusal('setSettings', { export: { outFolder: missing } }, missing),
      );
    }
    // Through a symlink inside the album that leads out of it.
    const [exists, missing] = [path.join(album, 'sneaky', 'swan.jpg'), path.join(album, 'sneaky', 'nothere.jpg')];
    expect(await refusal('readPreview', { path: exists, maxSide: 64 }, exists)).toBe(await refusal('readPreview', { path: missing, maxSide: 64 }, missing));
  });

  it('opens in the file manager only a folder the user chose, never a file or an app bundle', async () => {
    const call = await startMain();
    answers.folder = album;
    await call('openFolderDialog', { recursive: false });
    answers.folder = exportsDir;
    await call('chooseOutputFolder', { defaultPath: null });
    opened.length = 0;
    for (const p of ['/', outside, path.join(album, 'cones.jpg'), path.join(album, 'Evil.app'), path.join(album, 'Evil.app', 'Contents', 'MacOS', 'Evil')]) {
      await expect(call('openInFileManager', { path: p }), p).rejects.toBeInstanceOf(PathRefusedError);
    }
    expect(opened).toEqual([]);
    await call('openInFileManager', { path: exportsDir });
    await call('openInFileManager', { path: album });
    expect(opened).toEqual([exportsDir, album]);
  });
});
