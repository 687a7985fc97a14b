/** Picks the host at startup: the preload bridge means Electron, its absence a plain browser. */
import { BrowserHost } from './browser-host';
import { ElectronHost } from './electron-host';
import type { Host } from './host';

export function selectHost(): Host {
  return window.hazeless ? new ElectronHost(window.hazeless) : new BrowserHost();
}
