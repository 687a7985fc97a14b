/**
 * The photo threads the command line starts before it loads its own modules (bin/hazeless.js):
 * they load sharp, onnxruntime and the engine on the cores its own start leaves idle, and its
 * worker lanes take them (node/photo-threads.ts). How many: the worker lanes its batch will have,
 * guessed from the command line and the folders' listings, before the photos are looked at. A
 * guess too high costs a thread stopped unused once the batch has found its photos; too low,
 * threads started later.
 *
 * Loads only light modules (commander, the formats, the slider ranges, the concurrency rule: about
 * 30 ms), so that the threads start before sharp and onnxruntime load.
 */
import fs from 'node:fs';
import path from 'node:path';
import { looksLikeOutputName } from '../common/export-naming';
import { machineFigures, planConcurrency, type MachineFigures } from '../node/concurrency';
import { prestartPhotoThreads } from '../node/photo-threads';
import { parseCommandLine } from './options';
import { isPhotoName, isWalkedFolder } from './folder-walk';

/** Folders listed at most for the guess (a deep tree is not walked before the command starts). */
const FOLDERS_LOOKED_AT = 64;

/** The compiled photo thread's module, where the command runs compiled (set by bin/compiled-cli.mjs). */
declare const HAZELESS_COMPILED_PHOTO_WORKER: string | undefined;

/**
 * The worker lanes' thread module: the compiled one where the command runs compiled, else its
 * TypeScript source, run through tsx (bin/hazeless.js).
 */
export const PHOTO_WORKER =
  typeof HAZELESS_COMPILED_PHOTO_WORKER === 'string' ? new URL(HAZELESS_COMPILED_PHOTO_WORKER) : new URL('../node/photo-worker.ts', import.meta.url);

/**
 * Threads to start ahead for the batch `argv` asks for: the worker lanes it will have (its lane 0
 * is the main thread), at most one per core but the main thread's (more, with --jobs above the
 * cores, start when the batch admits their photos); 0 when it does not run a batch.
 */
export function workerLanesFor(argv: string[], machine: MachineFigures = machineFigures()): number {
  let opts: ReturnType<typeof parseCommandLine>;
  try {
    // Quiet: the command's own parse (cli/main.ts) reports what is wrong.
    opts = parseCommandLine(argv, '', { writeOut: () => {}, writeErr: () => {} });
  } catch {
    return 0;
  }
  // Names an earlier run would have given its outputs are left out: the batch leaves its outputs
  // out (by their mark, which needs sharp to read).
  const photo = (name: string): boolean => isPhotoName(name) && !looksLikeOutputName(name, opts.suffix);
  // Files given, then folders breadth first (their subfolders with -r, as the batch walks them),
  // until there are photos enough for every core.
  let photos = 0;
  const folders: string[] = [];
  for (const input of opts.inputs) {
    if (photos >= machine.cores) break;
    try {
      if (fs.statSync(input).isDirectory()) folders.push(input);
      else photos++;
    } catch {
      // The batch reports it; it dehazes nothing.
    }
  }
  for (let i = 0; i < folders.length && i < FOLDERS_LOOKED_AT && photos < machine.cores; i++) {
    try {
      for (const entry of fs.readdirSync(folders[i], { withFileTypes: true })) {
        // A link counts as the photo it leads to, as the batch follows it (not stat'ed here); linked
        // folders are not walked for the guess.
        if ((entry.isFile() || entry.isSymbolicLink()) && photo(entry.name)) photos++;
        else if (opts.recursive && entry.isDirectory() && isWalkedFolder(entry.name)) folders.push(path.join(folders[i], entry.name));
      }
    } catch {
      // An unreadable folder: the batch reports it.
    }
  }
  return photos === 0 ? 0 : Math.min(planConcurrency(machine, { photos, jobs: opts.jobs }).jobs, machine.cores) - 1;
}

/** Starts the photo threads the batch `argv` asks for will take. */
export function prestartFor(argv: string[]): void {
  prestartPhotoThreads(workerLanesFor(argv), PHOTO_WORKER);
}
