/**
 * The render's WebAssembly kernel is committed as bytes (engine/dehaze-wasm.ts) so that nothing
 * has to be built before the engine runs: they must be what its source compiles to.
 */
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { compileKernel, moduleText, WASM_MODULE } from '../../scripts/build-wasm';

describe('engine/dehaze-wasm.ts', () => {
  it('is wasm/dehaze.ts as `npm run build:wasm` compiles it', async () => {
    const bytes = await compileKernel();
    expect(WebAssembly.validate(new Uint8Array(bytes))).toBe(true);
    expect(fs.readFileSync(WASM_MODULE, 'utf8'), 'run `npm run build:wasm` and commit engine/dehaze-wasm.ts').toBe(moduleText(bytes));
  });
});
