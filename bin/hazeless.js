#!/usr/bin/env node
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
