// Each place the code runs has its own TypeScript configuration, so the compiler, not a
// convention, keeps the engine free of the DOM and Node and the renderer free of Node. Small
// files, each using one host API, are compiled with each configuration's own options: the APIs its
// environment lacks must be errors, the ones it has must compile.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const HOST = path.resolve('engine/host.js');

/** One line of code using one host API (each exports something, so each file is a module). */
const USES: Record<string, string> = {
  nodeImport: `import { readFileSync } from 'node:fs';\nexport const x = readFileSync;`,
  nodeSideEffectImport: `import 'node:fs';\nexport {};`,
  nodeGlobal: `export const x = process.env;`,
  nodeBuffer: `export const x = Buffer.from([1]);`,
  dom: `export const x = document.title;`,
  worker: `export const x = (self as WorkerGlobalScope).importScripts;`,
  timer: `export const x = setTimeout(() => {}, 0);`,
  engineHost: `import { host } from ${JSON.stringify(HOST)};\nexport const x = host.setTimeout(() => {}, 0);`,
  language: `export const x = [3, 1, 2].toSorted().at(-1);`,
};

/** What each configuration must reject and must accept. */
const ENVIRONMENTS: { config: string; rejects: string[]; accepts: string[] }[] = [
  {
    config: 'tsconfig.engine.json',
    rejects: ['nodeImport', 'nodeSideEffectImport', 'nodeGlobal', 'nodeBuffer', 'dom', 'worker', 'timer'],
    accepts: ['engineHost', 'language'],
  },
  {
    config: 'tsconfig.renderer.json',
    rejects: ['nodeImport', 'nodeGlobal', 'nodeBuffer', 'worker'],
    accepts: ['dom', 'timer', 'engineHost', 'language'],
  },
  {
    config: 'tsconfig.worker.json',
    rejects: ['nodeImport', 'nodeGlobal', 'nodeBuffer', 'dom'],
    accepts: ['worker', 'timer', 'engineHost', 'language'],
  },
  {
    config: 'tsconfig.node.json',
    rejects: ['dom', 'worker'],
    accepts: ['nodeImport', 'nodeSideEffectImport', 'nodeGlobal', 'nodeBuffer', 'timer', 'engineHost', 'language'],
  },
];

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'hazeless-tsconfig-'));
  for (const [name, code] of Object.entries(USES)) await writeFile(path.join(dir, `${name}.ts`), `${code}\n`);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The files among `names` that do not compile under the configuration's options. */
function failing(config: string, names: string[]): string[] {
  const parsed = ts.getParsedCommandLineOfConfigFile(path.resolve(config), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => {
      throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    },
  });
  if (!parsed) throw new Error(`${config} could not be read`);
  expect(parsed.errors.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'))).toEqual([]);
  const program = ts.createProgram(
    names.map((n) => path.join(dir, `${n}.ts`)),
    parsed.options,
  );
  const bad = new Set<string>();
  for (const d of ts.getPreEmitDiagnostics(program)) {
    if (d.category === ts.DiagnosticCategory.Error && d.file) bad.add(path.basename(d.file.fileName, '.ts'));
  }
  return names.filter((n) => bad.has(n));
}

describe('each environment type-checks against its own host', () => {
  for (const { config, rejects, accepts } of ENVIRONMENTS) {
    it(`${config} rejects ${rejects.join(', ')} and accepts ${accepts.join(', ')}`, () => {
      expect(failing(config, [...rejects, ...accepts])).toEqual(rejects);
    });
  }
});
