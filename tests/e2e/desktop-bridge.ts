// The desktop app without Electron: the renderer (dist-web, in Chromium) gets window.hazeless from
// the preload's own table (desktop-bridge-page.ts), and every call runs main's real handlers in
// this test process, built as main builds them (createMainServices, createIpcHandlers, dispatch),
// with the real photo worker (node/photo-worker.ts) in worker threads. Dialogs are answered by the
// test; events main sends (export progress, results, menu commands) are delivered into the page as
// the preload delivers them.

import path from 'node:path';
import type { Page } from '@playwright/test';
import { eventChannels, type EventName, type EventPayload, type MenuCommand } from '../../common/contract';
import { createIpcHandlers, dispatch, type IpcHandlers, type MainServices, type NativeShell } from '../../electron/ipc-handlers';
import { createMainServices } from '../../electron/main-services';
import { invokeNameOf, validateEvent } from '../../electron/validate';
import { PHOTO_WORKER_SOURCE } from '../node/photo-worker-source';

const PAGE_ENTRY = path.resolve('tests/e2e/desktop-bridge-page.ts');

let bundled: Promise<string> | null = null;

/** The page side as one script for page.addInitScript (bundled with the contract it imports). */
function pageScript(): Promise<string> {
  bundled ??= bundlePageScript();
  return bundled;
}

async function bundlePageScript(): Promise<string> {
  const { build } = await import('vite');
  const result = await build({
    configFile: false,
    logLevel: 'silent',
    publicDir: false,
    build: {
      write: false,
      minify: false,
      lib: { entry: PAGE_ENTRY, formats: ['iife'], name: 'hazelessDesktopBridge', fileName: () => 'bridge.js' },
    },
  });
  const outputs = Array.isArray(result) ? result : [result];
  for (const out of outputs) {
    if ('output' in out) for (const chunk of out.output) if (chunk.type === 'chunk') return chunk.code;
  }
  throw new Error('the desktop bridge did not bundle');
}

export interface DialogCall {
  kind: 'photos' | 'folder' | 'confirm-folders';
  /** The folder dialog's title, or the folders a confirmation asks about. */
  title: string | null;
  defaultPath: string | null;
}

/** A test's answer to a dialog: the chosen paths, yes/no for a confirmation, null to cancel. */
export type DialogAnswer = string[] | string | boolean | null;

export type SentEvent = { [N in EventName]: { name: N; payload: EventPayload<N> } }[EventName];

export class DesktopBridge {
  /** What the next dialogs answer, in order (a dialog with no answer queued is cancelled). */
  readonly answers: DialogAnswer[] = [];
  readonly dialogs: DialogCall[] = [];
  readonly revealed: string[] = [];
  readonly taskbar: (number | null)[] = [];
  readonly sent: SentEvent[] = [];
  /** Invoke requests main refused, with the reason (a refusal also rejects in the page). */
  readonly refusals: { channel: string; message: string }[] = [];
  private delivery: Promise<void> = Promise.resolve();
  private services!: MainServices;
  private handlers!: IpcHandlers;

  private constructor(private readonly page: Page) {}

  /** Sets up main for `page` (before its first navigation); `userData` is main's settings folder. */
  static async attach(page: Page, userData: string): Promise<DesktopBridge> {
    const bridge = new DesktopBridge(page);
    bridge.services = await createMainServices({
      userData,
      location: { isPackaged: false, resourcesPath: '', appPath: process.cwd() },
      native: bridge.nativeShell(),
      workerEntry: PHOTO_WORKER_SOURCE,
      send: (name, payload) => bridge.send(name, payload),
    });
    bridge.handlers = createIpcHandlers(bridge.services);
    await page.exposeBinding('__desktopInvoke', async (source, channel: unknown, request: unknown) => {
      const name = typeof channel === 'string' ? invokeNameOf(channel) : undefined;
      if (!name) throw new Error(`No handler registered for '${String(channel)}'`);
      try {
        // Main's own check of the caller: only the app's top frame.
        return await dispatch(bridge.handlers, name, request, source.frame === page.mainFrame());
      } catch (e) {
        bridge.refusals.push({ channel: String(channel), message: (e as Error).message });
        throw e;
      }
    });
    await page.addInitScript({ content: await pageScript() });
    return bridge;
  }

  /** What the app menu's item for `command` does (main.ts: click sends the menu event). */
  menu(command: MenuCommand): Promise<void> {
    return this.send('menuCommand', command);
  }

  /** Waits for every event sent so far to reach the page. */
  delivered(): Promise<void> {
    return this.delivery;
  }

  /** Stops the export (its photo workers) and writes pending adjustments, as main does on quit. */
  async close(): Promise<void> {
    await Promise.allSettled([this.services.exports.shutdown(), this.services.adjustments.flush()]);
  }

  /** main.ts's send: checked against the contract, then delivered in order. */
  private send<N extends EventName>(name: N, payload: EventPayload<N>): Promise<void> {
    validateEvent(name, payload);
    this.sent.push({ name, payload } as SentEvent);
    const channel = eventChannels[name].channel;
    this.delivery = this.delivery.then(() =>
      this.page.evaluate(([c, p]) => window.__desktopDeliver(c, p), [channel, payload] as const).catch(() => undefined),
    );
    return this.delivery;
  }

  private answer(call: DialogCall): DialogAnswer {
    this.dialogs.push(call);
    return this.answers.shift() ?? null;
  }

  private nativeShell(): NativeShell {
    const wrong = (call: string, a: DialogAnswer): Error => new Error(`the test answered ${call} with ${JSON.stringify(a)}`);
    return {
      pickPhotos: async () => {
        const a = this.answer({ kind: 'photos', title: null, defaultPath: null });
        if (typeof a === 'boolean') throw wrong('the photo dialog', a);
        return a === null ? null : Array.isArray(a) ? a : [a];
      },
      pickFolder: async (title, defaultPath) => {
        const a = this.answer({ kind: 'folder', title, defaultPath });
        if (Array.isArray(a) || typeof a === 'boolean') throw wrong(`the folder dialog "${title}"`, a);
        return a;
      },
      confirmOpenFolders: async (folders) => {
        const a = this.answer({ kind: 'confirm-folders', title: folders.join('\n'), defaultPath: null });
        if (a !== null && typeof a !== 'boolean') throw wrong('the open-folders question', a);
        return a === true;
      },
      openFolder: async (folder) => {
        this.revealed.push(folder);
        return true;
      },
      setProgress: (progress) => {
        this.taskbar.push(progress);
      },
    };
  }
}
