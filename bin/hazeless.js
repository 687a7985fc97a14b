#!/usr/bin/env -S MALLOC_ARENA_MAX=1 MALLOC_MMAP_MAX_=0 MALLOC_TRIM_THRESHOLD_=4294967295 node
// The first line sets glibc's allocator up for photo-sized buffers before node starts (glibc
// reads these only then; musl, macOS and Windows ignore them, and npm's Windows shim sets them
// too). By default every decoded photo and every JPEG encoder's whole-image buffers (tens of MB
// each) are fresh mappings, faulted in page by page and unmapped again, photo after photo: a
// quarter of an album's CPU time went to the kernel. With one arena, no mappings and no trimming,
// the memory one photo frees is the next one's, already in place: an album runs about a tenth
// faster and peaks lower (docs/performance.md). `node bin/hazeless.js` runs without them.
//
// Runs the TypeScript sources directly through tsx's require hook, so a fresh clone works after
// `npm ci` with no build step. The require hook compiles in this thread; tsx's import hooks would
// start a loader thread first (about 100 ms more before the first photo, measured).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('tsx/cjs/api').register();
// Before any photo thread starts: onnxruntime keeps no telemetry.
require('../engine/onnxruntime-offline.ts');
// The photo threads an album needs start first: they load while this thread loads the rest.
require('../cli/prestart.ts').prestartFor(process.argv.slice(2));
const { main } = require('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
