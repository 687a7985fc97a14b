// The only bridge between the sandboxed page and main: named functions, one per contract
// channel. No generic invoke/send is exposed, and events are validated before page code sees
// them. Dropped files are resolved to paths here, from real File objects, so page script cannot
// ask main to grant an arbitrary path string.

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  eventChannels,
  invokeChannels,
  isValid,
  type EventName,
  type EventPayload,
  type HazelessApi,
  type InvokeName,
  type RequestOf,
  type ResponseOf,
  type Schema,
  type Unsubscribe,
} from './contract';

function invoke<N extends InvokeName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
  return ipcRenderer.invoke(invokeChannels[name].channel, request) as Promise<ResponseOf<N>>;
}

function subscribe<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): Unsubscribe {
  const { channel } = eventChannels[name];
  const schema = eventChannels[name].payload as Schema<EventPayload<N>>;
  const wrapped = (_event: IpcRendererEvent, payload: unknown): void => {
    if (isValid(schema, payload)) listener(payload);
  };
  ipcRenderer.on(channel, wrapped);
  return () => {
    ipcRenderer.removeListener(channel, wrapped);
  };
}

const api: HazelessApi = {
  openPhotosDialog: () => invoke('openPhotosDialog', undefined),
  openFolderDialog: (recursive) => invoke('openFolderDialog', { recursive }),
  listAlbum: (folder, recursive) => invoke('listAlbum', { folder, recursive }),
  describeFiles: (paths) => invoke('describeFiles', { paths }),
  getRecentAlbums: () => invoke('getRecentAlbums', undefined),
  openRecentAlbum: (folder) => invoke('openRecentAlbum', { folder }),
  clearRecentAlbums: () => invoke('clearRecentAlbums', undefined),
  readPreview: (path, maxSide) => invoke('readPreview', { path, maxSide }),
  readThumbnail: (path, size) => invoke('readThumbnail', { path, size }),
  loadModel: () => invoke('loadModel', undefined),
  chooseOutputFolder: (defaultPath) => invoke('chooseOutputFolder', { defaultPath }),
  startExport: (request) => invoke('startExport', request),
  cancelExport: (jobId) => invoke('cancelExport', { jobId }),
  openInFileManager: (path) => invoke('openInFileManager', { path }),
  getSettings: () => invoke('getSettings', undefined),
  setSettings: (patch) => invoke('setSettings', patch),
  getAdjustments: (photos) => invoke('getAdjustments', { photos }),
  setAdjustments: (photo, adjustments) => invoke('setAdjustments', { photo, adjustments }),
  setTaskbarProgress: (progress) => invoke('setTaskbarProgress', { progress }),
  grantDropped: async (files) => {
    const paths = [...files].map((f) => webUtils.getPathForFile(f)).filter((p) => p.length > 0);
    if (paths.length === 0) return { files: [], folders: [] };
    return invoke('grantDropped', { paths });
  },
  onExportProgress: (listener) => subscribe('exportProgress', listener),
  onExportFileResult: (listener) => subscribe('exportFileResult', listener),
  onExportDone: (listener) => subscribe('exportDone', listener),
  onMenuCommand: (listener) => subscribe('menuCommand', listener),
};

contextBridge.exposeInMainWorld('hazeless', api);
