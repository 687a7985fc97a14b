// writeAtomically on a file system without hard links (FAT and exFAT memory cards): link()
// fails there, and a file another program creates at the output name while the photo is being
// committed must still never be replaced.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, expect, test, vi } from 'vitest';
import { makeTempDir } from './cli-helpers';

/** Set by a test: runs just before each rename of the fake file system, as another program would. */
const beforeRename: { hook: ((dest: string) => void) | null } = { hook: null };

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const link = async (): Promise<void> => {
    throw Object.assign(new Error('EPERM: operation not permitted, link'), { code: 'EPERM' });
  };
  const rename = async (from: string, to: string): Promise<void> => {
    beforeRename.hook?.(to);
    return real.rename(from, to);
  };
  return { ...real, link, rename, default: { ...real, link, rename } };
});

const { OutputExistsError, writeAtomically } = await import('../../node/safe-write');

let dir: string;
beforeEach(() => {
  dir = makeTempDir('safe-write-no-links');
  beforeRename.hook = null;
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const writeText = (text: string) => async (tmp: string) => fs.promises.writeFile(tmp, text);

test('without hard links a new output is still written whole, and an existing file is not replaced', async () => {
  const dest = path.join(dir, 'out.jpg');
  await writeAtomically(dest, writeText('ours'));
  expect(fs.readFileSync(dest, 'utf8')).toBe('ours');
  // Not a Hazeless output (no mark): refused as someone else's file, and kept.
  await expect(writeAtomically(dest, writeText('again'), { overwrite: false })).rejects.toThrow(/exists|not written by Hazeless/);
  expect(fs.readFileSync(dest, 'utf8')).toBe('ours');
  expect(fs.readdirSync(dir)).toEqual(['out.jpg']);
});

test('a file that another program creates at the output name just before the commit is never replaced', async () => {
  const dest = path.join(dir, 'out.jpg');
  // Another program writes the name in the last moment before the commit, if the name is free.
  let theirs = false;
  beforeRename.hook = (to) => {
    if (to === dest && !fs.existsSync(dest)) {
      fs.writeFileSync(dest, 'the user’s own file');
      theirs = true;
    }
  };
  const outcome = await writeAtomically(dest, writeText('ours')).then(
    () => 'written',
    (e: unknown) => (e instanceof OutputExistsError ? 'refused' : `failed: ${String(e)}`),
  );
  // The name is taken by Hazeless before the last step, so no one else can get in between; had
  // someone, their file would have to be there untouched and the photo refused.
  if (theirs) {
    expect(fs.readFileSync(dest, 'utf8')).toBe('the user’s own file');
    expect(outcome).toBe('refused');
  } else {
    expect(outcome).toBe('written');
    expect(fs.readFileSync(dest, 'utf8')).toBe('ours');
  }
  expect(fs.readdirSync(dir)).toEqual(['out.jpg']);
});
