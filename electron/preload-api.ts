// The object behind `window.hazeless`: named functions, one per contract channel, built over a
// transport. preload.ts gives it Electron's ipcRenderer; the desktop end-to-end test gives it a
// bridge to the same main-process handlers, so both run this one table.
//
// Browser-safe: imports nothing from Node or Electron.

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
} from '../common/contract';

/** How the page reaches main. Nothing here is exposed to page code. */
export interface PreloadTransport {
  /** ipcRenderer.invoke: the request goes to main's handler for `channel`. */
  invoke(channel: string, request: unknown): Promise<unknown>;
  /** ipcRenderer.on: every message main sends on `channel`, unchecked. */
  on(channel: string, listener: (payload: unknown) => void): Unsubscribe;
  /** The file-system path of a dropped File, or '' when it has none. */
  pathForFile(file: File): string;
}

export function createHazelessApi(transport: PreloadTransport): HazelessApi {
  function invoke<N extends InvokeName>(name: N, request: RequestOf<N>): Promise<ResponseOf<N>> {
    return transport.invoke(invokeChannels[name].channel, request) as Promise<ResponseOf<N>>;
  }

  // Events are checked against the contract before page code sees them.
  function subscribe<N extends EventName>(name: N, listener: (payload: EventPayload<N>) => void): Unsubscribe {
    const schema = eventChannels[name].payload as Schema<EventPayload<N>>;
    return transport.on(eventChannels[name].channel, (payload) => {
      if (isValid(schema, payload)) listener(payload);
    });
  }

  return {
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
      const paths = [...files].map((f) => transport.pathForFile(f)).filter((p) => p.length > 0);
      if (paths.length === 0) return { files: [], folders: [] };
      return invoke('grantDropped', { paths });
    },
    onExportProgress: (listener) => subscribe('exportProgress', listener),
    onExportFileResult: (listener) => subscribe('exportFileResult', listener),
    onExportDone: (listener) => subscribe('exportDone', listener),
    onMenuCommand: (listener) => subscribe('menuCommand', listener),
  };
}
