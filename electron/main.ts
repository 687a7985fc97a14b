// Electron main: wiring only. The window, the app:// protocol, the menu and the IPC handlers
// are set up here; everything they do lives in plain modules next to this file (tested in Node).

import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell, type MenuItemConstructorOptions, type WebContents } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { IMAGE_EXTENSIONS } from '../common/formats/index';
import { eventChannels, invokeChannels, type EventName, type EventPayload, type MenuCommand } from '../common/contract';
import { serveAppRequest } from './app-protocol';
import { createIpcHandlers, dispatch, type NativeShell } from './ipc-handlers';
import { createMainServices } from './main-services';
import { menuSpec, type MenuEntry } from './menu-spec';
import { INVOKE_NAMES, validateEvent } from './validate';
import { APP_ENTRY_URL, APP_SCHEME, isAllowedAppUrl, isAllowedRequestUrl, isPermissionAllowed } from './web-security';

const here = path.dirname(fileURLToPath(import.meta.url)); // out/main
const rendererDir = path.join(here, '..', 'renderer');
const preloadPath = path.join(here, '..', 'preload', 'index.cjs');
// The export's photo worker: electron-vite builds node/photo-worker.ts beside this file.
const workerEntry = new URL('./photo-worker.js', import.meta.url);
const devServerUrl = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];

// Must happen before 'ready': a standard, secure scheme gets an origin, fetch, and (with the
// COOP/COEP headers it serves) cross-origin isolation for onnxruntime-web's threads.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);
app.enableSandbox();

let win: BrowserWindow | null = null;

function send<N extends EventName>(name: N, payload: EventPayload<N>): void {
  validateEvent(name, payload);
  if (win && !win.isDestroyed()) win.webContents.send(eventChannels[name].channel, payload);
}

function sendMenuCommand(command: MenuCommand): void {
  send('menuCommand', command);
}

function toElectronMenu(entries: MenuEntry[]): MenuItemConstructorOptions[] {
  return entries.map((e): MenuItemConstructorOptions => {
    switch (e.kind) {
      case 'separator':
        return { type: 'separator' };
      case 'role':
        return e.label ? { role: e.role, label: e.label } : { role: e.role };
      case 'submenu':
        return { label: e.label, role: e.role, submenu: toElectronMenu(e.items) };
      case 'command':
        // Shown, not registered: the renderer's own key handler receives the key press.
        return { label: e.label, accelerator: e.accelerator, registerAccelerator: false, click: () => sendMenuCommand(e.command) };
    }
  });
}

/** Only our own page, in its top frame, may call main. */
function trustedSender(sender: WebContents, frameUrl: string | undefined, isMainFrame: boolean): boolean {
  return win !== null && sender === win.webContents && isMainFrame && frameUrl !== undefined && isAllowedAppUrl(frameUrl, devServerUrl);
}

function hardenSession(): void {
  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback, details) => {
    callback(isPermissionAllowed(permission, details.requestingUrl, devServerUrl));
  });
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) => isPermissionAllowed(permission, requestingOrigin, devServerUrl));
  ses.webRequest.onBeforeRequest((details, callback) => {
    callback({ cancel: !isAllowedRequestUrl(details.url, devServerUrl) });
  });
  ses.protocol.handle(APP_SCHEME, (request) => serveAppRequest(request.url, rendererDir, request.method));
}

function nativeShell(): NativeShell {
  const owner = (): BrowserWindow | undefined => win ?? undefined;
  return {
    async pickPhotos() {
      const options: Electron.OpenDialogOptions = {
        title: 'Open photos',
        properties: ['openFile', 'multiSelections'],
        filters: [{ name: 'Photos', extensions: IMAGE_EXTENSIONS.map((e) => e.slice(1)) }],
      };
      const w = owner();
      const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return r.canceled ? null : r.filePaths;
    },
    async pickFolder(title, defaultPath) {
      const options: Electron.OpenDialogOptions = {
        title,
        properties: ['openDirectory', 'createDirectory'],
        ...(defaultPath ? { defaultPath } : {}),
      };
      const w = owner();
      const r = w ? await dialog.showOpenDialog(w, options) : await dialog.showOpenDialog(options);
      return r.canceled || r.filePaths.length === 0 ? null : r.filePaths[0];
    },
    async confirmOpenFolders(folders) {
      // The paths come from a drop the renderer reports: the user says here, in main, whether
      // they meant to open these folders.
      const shown = folders.slice(0, 8).join('\n') + (folders.length > 8 ? `\n… and ${folders.length - 8} more` : '');
      const options: Electron.MessageBoxOptions = {
        type: 'question',
        title: 'Open dropped folders',
        message: folders.length === 1 ? 'Open this folder as an album?' : `Open these ${folders.length} folders as an album?`,
        detail: shown,
        buttons: ['Open', 'Cancel'],
        defaultId: 0,
        cancelId: 1,
        noLink: true,
      };
      const w = owner();
      const r = w ? await dialog.showMessageBox(w, options) : await dialog.showMessageBox(options);
      return r.response === 0;
    },
    async openFolder(folder) {
      return (await shell.openPath(folder)) === '';
    },
    setProgress(progress) {
      win?.setProgressBar(progress === null ? -1 : progress);
    },
  };
}

function createWindow(): BrowserWindow {
  const w = new BrowserWindow({
    width: 1440,
    height: 920,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Hazeless',
    backgroundColor: '#161618',
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      navigateOnDragDrop: false,
      spellcheck: false,
      devTools: !app.isPackaged,
    },
  });
  w.once('ready-to-show', () => w.show());
  void w.loadURL(devServerUrl ?? APP_ENTRY_URL);
  return w;
}

async function main(): Promise<void> {
  // One instance: a second launch focuses the first instead of racing on the same settings.
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('second-instance', () => {
    if (win) {
      if (win.isMinimized()) win.restore();
      win.focus();
    }
  });

  // Every web contents ever created: no new windows, no navigation away, no <webview>.
  app.on('web-contents-created', (_event, contents) => {
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
    contents.on('will-navigate', (event, url) => {
      if (!isAllowedAppUrl(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-redirect', (event, url) => {
      if (!isAllowedAppUrl(url, devServerUrl)) event.preventDefault();
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  await app.whenReady();
  hardenSession();

  const services = await createMainServices({
    userData: app.getPath('userData'),
    location: { isPackaged: app.isPackaged, resourcesPath: process.resourcesPath, appPath: app.getAppPath() },
    native: nativeShell(),
    workerEntry,
    send,
    onExportDone: () => {
      if (win && !win.isFocused()) win.flashFrame(true);
    },
  });
  const handlers = createIpcHandlers(services);
  for (const name of INVOKE_NAMES) {
    ipcMain.handle(invokeChannels[name].channel, (event, payload: unknown) =>
      dispatch(handlers, name, payload, trustedSender(event.sender, event.senderFrame?.url, event.senderFrame?.parent === null)),
    );
  }

  Menu.setApplicationMenu(Menu.buildFromTemplate(toElectronMenu(menuSpec(process.platform, { appName: app.name, isDev: !app.isPackaged }))));

  win = createWindow();
  win.on('closed', () => {
    win = null;
  });

  app.on('activate', () => {
    if (!win) {
      win = createWindow();
      win.on('closed', () => {
        win = null;
      });
    }
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  let flushed = false;
  app.on('before-quit', (event) => {
    if (flushed) return;
    event.preventDefault();
    flushed = true;
    void Promise.allSettled([services.exports.shutdown(), services.adjustments.flush()]).then(() => app.quit());
  });
}

void main();
