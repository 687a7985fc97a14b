/**
 * The photo threads the command line starts before it loads its own modules (bin/hazeless.js):
 * they load sharp, onnxruntime and the engine on the cores its own start leaves idle, and its
 * worker lanes take them (node/photo-threads.ts). How many: the worker lanes its batch will have,
 * guessed from the command line and the folders' listings, before the photos are looked at. A
 * guess too high costs a thread that is stopped unused; too low, threads started later.
 *
 * Loads nothing heavy (commander, the formats, the concurrency rule), so that the threads start
 * first.
 */
import fs from 'node:fs';
import { hasImageExtension } from '../common/formats/index';
import { machineFigures, planConcurrency, type MachineFigures } from '../node/concurrency';
import { prestartPhotoThreads } from '../node/photo-threads';
import { parseCommandLine } from './options';

/** The worker lanes' thread module: its TypeScript source, as the command line runs (bin/hazeless.js). */
export const PHOTO_WORKER = new URL('../node/photo-worker.ts', import.meta.url);

/** Worker lanes the batch `argv` asks for will have (its lane 0 is the main thread); 0 when it does not run a batch. */
export function workerLanesFor(argv: string[], machine: MachineFigures = machineFigures()): number {
  let opts: ReturnType<typeof parseCommandLine>;
  try {
    // Quiet: the command's own parse (cli/main.ts) reports what is wrong.
    opts = parseCommandLine(argv, '', { writeOut: () => {}, writeErr: () => {} });
  } catch {
    return 0;
  }
  let photos = 0;
  for (const input of opts.inputs) {
    if (photos >= machine.cores) break;
    try {
      photos += fs.statSync(input).isDirectory() ? fs.readdirSync(input).filter((n) => !n.startsWith('.') && hasImageExtension(n)).length : 1;
    } catch {
      // The batch reports it; it dehazes nothing.
    }
  }
  return photos === 0 ? 0 : planConcurrency(machine, { photos, jobs: opts.jobs }).jobs - 1;
}

/** Starts the photo threads the batch `argv` asks for will take. */
export function prestartFor(argv: string[]): void {
  prestartPhotoThreads(workerLanesFor(argv), PHOTO_WORKER);
}
