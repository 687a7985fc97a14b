// Browser mode build: the same renderer as Electron, with the browser host adapter, served by
// scripts/web.mjs (or `vite dev` for development) from our own origin only.
import { defineConfig } from 'vite';
import { resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
// Explicit .ts extensions: Vite's native config loader (planned default) resolves no extensionless
// imports. (This file is outside tsconfig.json, which does not allow .ts specifiers.)
import { hazelessSvelte } from './svelte-plugin.ts';
import { hazelessAssets } from './assets-plugin.ts';

const here = dirname(fileURLToPath(import.meta.url));

const crossOriginIsolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  root: here,
  base: './',
  plugins: [hazelessSvelte(), hazelessAssets({ includeModels: true })],
  worker: { format: 'es' },
  build: {
    outDir: resolve(here, '..', 'dist-web'),
    emptyOutDir: true,
    target: 'es2022',
    // The built app ships without source maps (its source is not served to anyone).
    sourcemap: false,
    chunkSizeWarningLimit: 2000,
    rollupOptions: {
      input: {
        main: resolve(here, 'index.html'),
        diagnostics: resolve(here, 'diagnostics.html'),
      },
    },
  },
  server: { headers: crossOriginIsolation, host: '127.0.0.1', fs: { allow: [resolve(here, '..')] } },
  preview: { headers: crossOriginIsolation, host: '127.0.0.1' },
});
