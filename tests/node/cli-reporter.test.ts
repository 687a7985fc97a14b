import { describe, expect, test } from 'vitest';
import { createReporter } from '../../cli/reporter';

/** A stream that says whether it is a terminal, and keeps what is written to it (at once). */
function stream(isTTY: boolean): NodeJS.WriteStream & { text: () => string } {
  let text = '';
  const s = {
    isTTY,
    columns: 100,
    rows: 30,
    write: (chunk: string | Uint8Array): boolean => {
      text += chunk.toString();
      return true;
    },
    on: () => s,
    once: () => s,
    off: () => s,
    removeListener: () => s,
    text: () => text,
  };
  return s as unknown as NodeJS.WriteStream & { text: () => string };
}

function runBatch(stdoutTTY: boolean, stderrTTY: boolean): { stdout: string; stderr: string } {
  const streams = { stdout: stream(stdoutTTY), stderr: stream(stderrTTY) };
  const r = createReporter('auto', streams);
  r.start(2);
  r.fileStart('a.jpg', 100);
  r.fileDone(0, { input: 'a.jpg', output: 'dehazed/a-dehazed.jpg', status: 'ok', width: 10, height: 10 });
  r.fileStart('b.jpg', 100);
  r.fileDone(1, { input: 'b.jpg', status: 'failed', reason: 'truncated or damaged file' });
  r.finish({ total: 2, ok: 1, skipped: 0, failed: 1, aborted: 0, notStarted: 0, interrupted: false, seconds: 1 });
  return { stdout: streams.stdout.text(), stderr: streams.stderr.text() };
}

describe('the report of a batch', () => {
  test('on a terminal with stdout sent to a file, the file gets the lines and the terminal the bar and the errors', () => {
    const { stdout, stderr } = runBatch(false, true);
    expect(stdout).toBe('[1/2] a.jpg -> dehazed/a-dehazed.jpg (10x10)\n');
    expect(stderr).toContain('error b.jpg: truncated or damaged file');
    expect(stderr).toContain('Done: 1 dehazed, 1 failed of 2 in 1.0 s');
    expect(stderr).not.toContain('a-dehazed.jpg');
  });

  test('on a terminal, every line on it, above the bar, the last ones too', () => {
    const { stdout, stderr } = runBatch(true, true);
    expect(stdout).toBe('');
    expect(stderr).toContain('a.jpg -> dehazed/a-dehazed.jpg (10x10)');
    expect(stderr).toContain('error b.jpg: truncated or damaged file');
  });

  test('with no terminal, plain lines: results and the summary on stdout, errors on stderr', () => {
    const { stdout, stderr } = runBatch(false, false);
    expect(stdout).toBe('[1/2] a.jpg -> dehazed/a-dehazed.jpg (10x10)\nDone: 1 dehazed, 1 failed of 2 in 1.0 s\n');
    expect(stderr).toBe('[2/2] error b.jpg: truncated or damaged file\n');
  });
});
