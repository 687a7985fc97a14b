// Atomic JSON persistence for small app-state files in userData. A crash mid-write must never
// leave a truncated settings file: write a temp file beside the target, fsync it, rename over.

import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';

export async function writeJsonAtomic(file: string, value: unknown): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  const handle = await open(tmp, 'wx', 0o600);
  try {
    await handle.writeFile(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
    await handle.sync();
  } catch (e) {
    await handle.close();
    await rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  try {
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

/**
 * Reads and parses `file`. Missing -> undefined. Unparseable -> the bad file is kept aside as
 * `<file>.corrupt` (for a bug report) and undefined is returned so the app starts with defaults.
 */
export async function readJson(file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  try {
    return JSON.parse(text) as unknown;
  } catch {
    await rename(file, `${file}.corrupt`).catch(() => undefined);
    return undefined;
  }
}

/** Serialises writes so a slow earlier write can never land after (and clobber) a later one. */
export class JsonFile<T> {
  private chain: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  read(): Promise<unknown> {
    return this.chain.then(() => readJson(this.file));
  }

  write(value: T): Promise<void> {
    const next = this.chain.then(() => writeJsonAtomic(this.file, value));
    this.chain = next.catch(() => undefined);
    return next;
  }
}
