// What stands behind the IPC handlers, built in one place: main.ts passes Electron's pieces (the
// user-data folder, the dialogs, the window's event sender), the desktop end-to-end test its own,
// so the test drives the services exactly as main builds them.

import type { EventName, EventPayload } from '../common/contract';
import { ExportQueue } from './export-jobs';
import { ChosenExportFolders } from './export-folders';
import { restoreGrants, type MainServices, type NativeShell } from './ipc-handlers';
import { locateModel, readModelBundle, type AppLocation } from './model-lookup';
import { PathGuard } from './path-guard';
import { RecentAlbums } from './recent';
import { AdjustmentsStore, SettingsStore } from './settings-store';

export interface MainWiring {
  userData: string;
  location: AppLocation;
  native: NativeShell;
  /** The export's photo worker module (out/main/photo-worker.js in the app; ExportQueueOptions). */
  workerEntry: URL;
  /** Sends an event to the renderer. */
  send: <N extends EventName>(name: N, payload: EventPayload<N>) => void;
  /** Called when an export job ends (main flashes an unfocused window). */
  onExportDone?: () => void;
}

export async function createMainServices(wiring: MainWiring): Promise<MainServices> {
  const { userData, location, native, send } = wiring;
  const guard = new PathGuard();
  const settings = new SettingsStore(userData);
  const adjustments = new AdjustmentsStore(userData);
  const recent = new RecentAlbums(userData);
  const exportFolders = new ChosenExportFolders(userData);
  await restoreGrants({ guard, settings, exportFolders });

  const exports = new ExportQueue({
    workerEntry: wiring.workerEntry,
    // One photo thread kept loaded: an export of one photo starts about 150 ms sooner.
    spareThreads: 1,
    manifestPath: async () => (await locateModel(location)).manifestPath,
    events: {
      progress: (p) => {
        send('exportProgress', p);
        const fraction = p.total > 0 ? (p.done + (p.fileTotal > 0 ? p.fileDone / p.fileTotal : 0)) / p.total : 0;
        native.setProgress(p.stage === 'done' ? null : Math.min(1, fraction));
      },
      fileResult: (r) => send('exportFileResult', r),
      done: (d) => {
        native.setProgress(null);
        send('exportDone', d);
        wiring.onExportDone?.();
      },
    },
  });

  return {
    guard,
    settings,
    adjustments,
    recent,
    exportFolders,
    exports,
    native,
    loadModel: async () => readModelBundle(await locateModel(location)),
  };
}
