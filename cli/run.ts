// The compiled command's entry (bin/compiled-cli.mjs bundles it): what bin/hazeless.js does
// through tsx, in the same order. The photo threads the batch will need start before this thread
// loads sharp, onnxruntime and the engine (the `import` below, initialised only then), so that they
// load on the cores its own loading leaves idle.
import { prestartFor } from './prestart';

/** Runs `hazeless` with argv (without node and the script) and returns the exit status. */
export async function run(argv: string[]): Promise<number> {
  prestartFor(argv);
  const { main } = await import('./main');
  return main(argv);
}
