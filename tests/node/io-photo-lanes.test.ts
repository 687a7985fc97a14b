/**
 * A worker lane (node/photo-lanes.ts) whose aborted photo does not stop within its grace period
 * terminates its thread, and the photo's output is then whole or absent: the temporary file the
 * thread was writing, which its own clean-up can no longer remove, is removed by the lane.
 */
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isAbortError } from '../../engine/abort';
import { findModel } from '../../node/model-files';
import { workerLane, type PhotoTask } from '../../node/photo-lanes';
import { isTempName } from '../../node/safe-write';
import { copyPhoto, makeTempDir } from './cli-helpers';
import { PHOTO_WORKER_SOURCE } from './photo-worker-source';

const adjustments = { strength: 100, distance: 0, protect: 0, exposure: 0 };

let dir: string;
let input: string;

beforeAll(() => {
  dir = makeTempDir('photo-lanes');
  input = copyPhoto('urbino.jpg', dir);
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Resolves once a temporary file of safe-write's naming appears in `folder`. */
function tempFileAppears(folder: string): Promise<void> {
  return new Promise((resolve) => {
    const poll = setInterval(() => {
      void readdir(folder).then(
        (names) => {
          if (names.some((n) => isTempName(n))) {
            clearInterval(poll);
            resolve();
          }
        },
        () => {},
      );
    }, 2);
  });
}

describe('worker lane', () => {
  it('terminates a thread whose aborted photo outlives the grace period, leaving no temporary file and no output', async () => {
    const model = await findModel();
    const out = path.join(dir, 'out');
    const lane = workerLane({ manifestPath: model.manifestPath, protect: [input], threads: 1 }, { entry: PHOTO_WORKER_SOURCE, abortGraceMs: 0 });
    const abort = new AbortController();
    // A PNG of a 3 MP photo takes a while to encode: the thread is inside sharp's native encoder,
    // writing the temporary file, when the abort comes and the grace (none) runs out.
    const task: PhotoTask = { input, output: path.join(out, 'urbino-dehazed.png'), format: 'png', overwrite: false, adjustments };
    const settled = lane.run(task, abort.signal, () => {}).then(
      () => null,
      (e: unknown) => e,
    );
    await tempFileAppears(out);
    abort.abort();

    const error = await settled;
    expect(isAbortError(error), String(error)).toBe(true);
    expect(lane.ended).toBe(true);
    expect(await readdir(out)).toEqual([]);
    await lane.close();
  });
});
