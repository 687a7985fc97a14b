// Runs in the page before the app's own scripts, in place of the Electron preload: window.hazeless
// is built by the preload's own table (electron/preload-api.ts) over a transport to the test
// process, which stands in for ipcRenderer/ipcMain (desktop-bridge.ts). Bundled by that file.

import { createHazelessApi } from '../../electron/preload-api';

declare global {
  interface Window {
    /** Playwright binding: main's handler for this channel, run in the test process. */
    __desktopInvoke(channel: string, request: unknown): Promise<unknown>;
    /** Called by the test process with each event main sends (webContents.send). */
    __desktopDeliver(channel: string, payload: unknown): void;
  }
}

const listeners = new Map<string, Set<(payload: unknown) => void>>();

window.__desktopDeliver = (channel, payload) => {
  for (const listener of listeners.get(channel) ?? []) listener(payload);
};

window.hazeless = createHazelessApi({
  invoke: (channel, request) => window.__desktopInvoke(channel, request),
  on: (channel, listener) => {
    // Each subscription is its own entry, as ipcRenderer.on adds the same function twice.
    const entry = (payload: unknown): void => listener(payload);
    const set = listeners.get(channel) ?? new Set();
    listeners.set(channel, set.add(entry));
    return () => {
      set.delete(entry);
    };
  },
  // Chromium gives dropped files no path; the test opens photos through the dialogs instead.
  pathForFile: () => '',
});
