#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4294967295 node
// The first line sets glibc's allocator up for photo-sized buffers before node starts (glibc
// reads these only then; macOS and Windows ignore them, and npm's Windows shim sets them too;
// musl systems cannot run onnxruntime-node's binaries at all). By default every decoded photo and
// every JPEG encoder's whole-image buffers (tens of MB each) are fresh mappings, faulted in page
// by page and unmapped again, photo after photo: a quarter of an album's CPU time went to the
// kernel. With one arena, no mappings and no trimming, the memory one photo frees is the next
// one's, already in place: an album runs about a tenth faster (docs/performance.md). Its peak
// is lower for photos of one size, and can be higher for an album of very mixed sizes (what a
// big photo freed stays with the process). `node bin/hazeless.js` runs without them.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { compiledCli } from './compiled-cli.mjs';

const require = createRequire(import.meta.url);
const argv = process.argv.slice(2);
// The command compiled (bin/compiled-cli.mjs), built again if its sources have changed.
const compiled = await compiledCli();
/** @type {((argv: string[]) => Promise<number>) | null} */
let run = null;
try {
  run = compiled === null ? null : require(compiled.entry).run;
} catch {
  // Removed since it was checked (a cache cleared by hand): the sources, below.
}
if (run !== null) {
  process.exitCode = await run(argv);
} else {
  // Where it cannot be compiled: the TypeScript sources through tsx's require hook, in the order
  // cli/run.ts imports them. The require hook compiles in this thread; tsx's import hooks would
  // start a loader thread first (about 100 ms more before the first photo, measured).
  require('tsx/cjs/api').register();
  /** @param {string} file */
  const source = (file) => require(fileURLToPath(new URL(`../${file}`, import.meta.url)));
  // The photo threads an album needs start first: they load while this thread loads the rest.
  source('cli/prestart.ts').prestartFor(argv);
  const { main } = source('cli/main.ts');
  process.exitCode = await main(argv);
}
