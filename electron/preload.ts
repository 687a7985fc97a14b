// The only bridge between the sandboxed page and main: named functions, one per contract
// channel (preload-api.ts). No generic invoke/send is exposed, and events are validated before
// page code sees them. Dropped files are resolved to paths here, from real File objects, so page
// script cannot ask main to grant an arbitrary path string.

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { createHazelessApi } from './preload-api';

const api = createHazelessApi({
  invoke: (channel, request) => ipcRenderer.invoke(channel, request),
  on: (channel, listener) => {
    const wrapped = (_event: IpcRendererEvent, payload: unknown): void => listener(payload);
    ipcRenderer.on(channel, wrapped);
    return () => {
      ipcRenderer.removeListener(channel, wrapped);
    };
  },
  pathForFile: (file) => webUtils.getPathForFile(file),
});

contextBridge.exposeInMainWorld('hazeless', api);
