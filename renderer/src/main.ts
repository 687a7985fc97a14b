/** Renderer entry: pick the host, build the state, mount the app, start the engine. */
import { mount } from 'svelte';
import { defaultAdjustments } from '../../engine/adjustments';
import { parseManifest } from '../../engine/manifest';
import App from './App.svelte';
import { selectHost } from './host/select-host';
import { Editor } from './state/editor.svelte';
import { Exporter } from './state/exporter.svelte';
import { PreviewController } from './state/preview.svelte';
import { ViewState } from './state/view.svelte';
import './app.css';

const host = selectHost();
const editor = new Editor(host);
const preview = new PreviewController(host);
const vs = new ViewState();
const exporter = new Exporter(host, editor);

const target = document.getElementById('app');
if (!target) throw new Error('index.html lacks #app');
mount(App, { target, props: { host, editor, preview, vs, exporter } });

async function boot(): Promise<void> {
  await host.init().catch((e: Error) => (editor.message = `Startup problem: ${e.message}`));
  await exporter.load();
  try {
    const model = await host.loadModel();
    editor.defaults = defaultAdjustments(parseManifest(model.manifest));
    if (!editor.current) editor.live = { ...editor.defaults };
  } catch (e) {
    preview.engineError = `The model could not be loaded: ${(e as Error).message}`;
    return;
  }
  await preview.start().catch(() => undefined);
}

void boot();

// Hooks for the end-to-end tests and the UI benchmark (read-only views of the state).
declare global {
  interface Window {
    __hazeless?: { editor: Editor; preview: PreviewController; vs: ViewState; exporter: Exporter };
  }
}
window.__hazeless = { editor, preview, vs, exporter };
