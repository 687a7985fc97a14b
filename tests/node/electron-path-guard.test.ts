import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PathGuard, PathRefusedError } from '../../electron/path-guard';

let base: string;
let album: string;
let secret: string;
let single: string;

beforeAll(async () => {
  base = await mkdtemp(path.join(tmpdir(), 'hazeless-guard-'));
  album = path.join(base, 'album');
  await mkdir(path.join(album, 'nested'), { recursive: true });
  await writeFile(path.join(album, 'a.jpg'), 'a');
  await writeFile(path.join(album, 'nested', 'b.jpg'), 'b');
  await mkdir(path.join(base, 'private'));
  secret = path.join(base, 'private', 'secret.jpg');
  await writeFile(secret, 'secret');
  await mkdir(path.join(base, 'albumX'));
  await writeFile(path.join(base, 'albumX', 'c.jpg'), 'c');
  single = path.join(base, 'single.jpg');
  await copyFile(path.resolve('../shared/data/real/cones.jpg'), single);
  await writeFile(path.join(base, 'sibling.jpg'), 's');
  await symlink(path.join(base, 'private'), path.join(album, 'escape-dir'));
  await symlink(secret, path.join(album, 'escape.jpg'));
  await symlink(path.join(album, 'a.jpg'), path.join(album, 'inner-link.jpg'));
  await symlink(album, path.join(base, 'album-alias'));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

describe('PathGuard', () => {
  it('refuses everything before anything is granted', async () => {
    const guard = new PathGuard();
    await expect(guard.check(path.join(album, 'a.jpg'), 'file')).rejects.toBeInstanceOf(PathRefusedError);
  });

  it('allows files inside a granted folder, at any depth', async () => {
    const guard = new PathGuard();
    await guard.grantFolder(album);
    await expect(guard.check(path.join(album, 'a.jpg'), 'file')).resolves.toMatch(/a\.jpg$/);
    await expect(guard.check(path.join(album, 'nested', 'b.jpg'), 'file')).resolves.toMatch(/b\.jpg$/);
    await expect(guard.check(album, 'folder')).resolves.toBeTruthy();
    await expect(guard.check(path.join(album, 'nested'), 'folder')).resolves.toBeTruthy();
    await expect(guard.check(path.join(album, 'inner-link.jpg'), 'file')).resolves.toMatch(/a\.jpg$/);
  });

  it('refuses .. tricks, prefix look-alikes, symlinks out of the root, relative and odd input', async () => {
    const guard = new PathGuard();
    await guard.grantFolder(album);
    const refused = [
      path.join(album, '..', 'private', 'secret.jpg'),
      `${album}/../private/secret.jpg`,
      `${album}/nested/../../single.jpg`,
      path.join(base, 'albumX', 'c.jpg'),
      path.join(album, 'escape.jpg'),
      path.join(album, 'escape-dir', 'secret.jpg'),
      path.join(album, 'escape-dir'),
      secret,
      'album/a.jpg',
      './a.jpg',
      '',
      `${album}/a.jpg\0.png`,
      path.join(album, 'missing.jpg'),
    ];
    for (const p of refused) {
      await expect(guard.check(p, 'file'), p).rejects.toBeInstanceOf(PathRefusedError);
    }
    for (const bad of [null, 42, { path: album }, [album]]) {
      await expect(guard.check(bad, 'file')).rejects.toBeInstanceOf(PathRefusedError);
    }
  });

  it('checks the kind', async () => {
    const guard = new PathGuard();
    await guard.grantFolder(album);
    await expect(guard.check(path.join(album, 'nested'), 'file')).rejects.toThrow(/not a file/);
    await expect(guard.check(path.join(album, 'a.jpg'), 'folder')).rejects.toThrow(/not a folder/);
  });

  it('a granted file grants only itself', async () => {
    const guard = new PathGuard();
    await guard.grantImage(single, 'drop');
    await expect(guard.check(single, 'file')).resolves.toBeTruthy();
    await expect(guard.check(path.join(base, 'sibling.jpg'), 'file')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(guard.check(base, 'folder')).rejects.toBeInstanceOf(PathRefusedError);
  });

  it('a folder granted through a symlink works under both names, and only there', async () => {
    const guard = new PathGuard();
    const alias = path.join(base, 'album-alias');
    await guard.grantFolder(alias);
    await expect(guard.check(path.join(alias, 'a.jpg'), 'file')).resolves.toBe(await guard.check(path.join(album, 'a.jpg'), 'file'));
    await expect(guard.check(path.join(alias, '..', 'single.jpg'), 'file')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(guard.check(path.join(alias, 'escape.jpg'), 'file')).rejects.toBeInstanceOf(PathRefusedError);
  });

  it('refuses to grant what does not exist', async () => {
    const guard = new PathGuard();
    await expect(guard.grantFolder(path.join(base, 'nope'))).rejects.toThrow();
    await expect(guard.grantFolder('relative/path')).rejects.toBeInstanceOf(PathRefusedError);
    await expect(guard.grantImage(path.join(base, 'nope.jpg'), 'dialog')).rejects.toThrow();
    await expect(guard.grantOutput(path.join(base, 'nope'))).rejects.toThrow();
  });

  it('grants a dropped file only when it is a photo by name and by content, never through a symlink', async () => {
    const guard = new PathGuard();
    const textAsJpg = path.join(base, 'text.jpg');
    await writeFile(textAsJpg, 'plain text');
    const link = path.join(base, 'link-to-single.jpg');
    await symlink(single, link);
    await expect(guard.grantImage(textAsJpg, 'drop')).rejects.toThrow(/not a photo/);
    await expect(guard.grantImage(secret, 'drop')).rejects.toThrow(/not a photo/);
    await expect(guard.grantImage(album, 'drop')).rejects.toThrow(/not a file/);
    await expect(guard.grantImage(link, 'drop')).rejects.toThrow(/not a file/);
    await expect(guard.check(single, 'file')).rejects.toBeInstanceOf(PathRefusedError);
    // Picked in main's own dialog: the user's choice, so a link is followed and the content is
    // left for the decoder to judge (an unreadable photo is listed with its error).
    await expect(guard.grantImage(link, 'dialog')).resolves.toBe(single);
    await expect(guard.grantImage(textAsJpg, 'dialog')).resolves.toBe(textAsJpg);
    const notes = path.join(base, 'notes.txt');
    await writeFile(notes, 'notes');
    await expect(guard.grantImage(notes, 'dialog')).rejects.toThrow(/not a photo/);
  });

  it('allows writing into exactly the chosen export folder, nowhere else', async () => {
    const guard = new PathGuard();
    await guard.grantFolder(album);
    await expect(guard.checkOutput(album)).rejects.toThrow(/not an export folder you chose/);
    await guard.grantOutput(path.join(base, 'album-alias'));
    await expect(guard.checkOutput(album)).resolves.toBe(album);
    await expect(guard.checkOutput(path.join(base, 'album-alias'))).resolves.toBe(album);
    for (const p of [path.join(album, 'nested'), path.join(album, 'escape-dir'), path.join(album, 'new'), base]) {
      await expect(guard.checkOutput(p), p).rejects.toThrow(/not an export folder you chose/);
    }
  });
});
