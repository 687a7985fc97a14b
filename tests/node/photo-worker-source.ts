// The export's photo worker as its TypeScript source (node/photo-threads.ts runs a .ts entry
// through tsx); the app runs the bundle electron-vite builds from it, out/main/photo-worker.js.
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const PHOTO_WORKER_SOURCE = pathToFileURL(path.resolve('node/photo-worker.ts'));
