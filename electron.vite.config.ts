// electron-vite: main (+ the export's photo worker, node/photo-worker.ts, which main hands to
// node/photo-lanes.ts), the sandboxed preload, and the Svelte renderer. The renderer shares its
// Svelte and asset plugins with the browser-mode build (renderer/vite.config.ts), so both ship
// the same onnxruntime-web WASM files under ort/. No build writes source maps: the packed app
// ships none.
import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import { hazelessAssets } from './renderer/assets-plugin';
import { hazelessSvelte } from './renderer/svelte-plugin';

const root = import.meta.dirname;

export default defineConfig({
  main: {
    build: {
      outDir: resolve(root, 'out/main'),
      target: 'node20',
      // sharp and onnxruntime-node load native code: they stay in node_modules (asarUnpack).
      externalizeDeps: true,
      rollupOptions: {
        input: {
          index: resolve(root, 'electron/main.ts'),
          'photo-worker': resolve(root, 'node/photo-worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(root, 'out/preload'),
      // A sandboxed preload cannot require anything but 'electron': bundle the contract in, as
      // one CommonJS file.
      externalizeDeps: false,
      isolatedEntries: true,
      rollupOptions: {
        input: { index: resolve(root, 'electron/preload.ts') },
        external: ['electron'],
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'renderer'),
    base: './',
    plugins: [hazelessSvelte(), hazelessAssets({ includeModels: false })],
    worker: { format: 'es' },
    build: {
      outDir: resolve(root, 'out/renderer'),
      target: 'es2022',
      chunkSizeWarningLimit: 2000,
      rollupOptions: {
        input: { index: resolve(root, 'renderer/index.html') },
      },
    },
  },
});
