// One Svelte plugin setup for both builds: browser mode (renderer/vite.config.ts) and Electron
// (electron.vite.config.ts at the root imports this too), so the two can never drift apart.
import { svelte } from '@sveltejs/vite-plugin-svelte';
import type { PluginOption } from 'vite';

export function hazelessSvelte(): PluginOption {
  return svelte({
    // Runes everywhere: the app is written in Svelte 5 style only.
    compilerOptions: { runes: true },
    // No svelte.config.js lookup: the options above are the whole configuration.
    configFile: false,
  });
}
