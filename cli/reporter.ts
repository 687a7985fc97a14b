import path from 'node:path';
import cliProgress from 'cli-progress';
import { BatchEta, formatDuration, photoFraction } from '../common/eta';
import type { Progress } from '../engine/types';
import type { StageTimings } from '../node/dehaze-file';

export type FileStatus = 'ok' | 'skipped' | 'failed' | 'aborted';

export interface FileRecord {
  input: string;
  output?: string;
  status: FileStatus;
  /** Why it was skipped / failed, one line. */
  reason?: string;
  width?: number;
  height?: number;
  format?: string;
  bitDepth?: number;
  timings?: StageTimings;
}

export interface Summary {
  total: number;
  ok: number;
  skipped: number;
  failed: number;
  /** Stopped by a second Ctrl-C: nothing written. */
  aborted: number;
  /** Files never started because of Ctrl-C. */
  notStarted: number;
  interrupted: boolean;
  seconds: number;
}

/**
 * How a batch is shown: progress bar on a terminal, plain lines otherwise, or JSON lines.
 * Several photos may be in progress at once; `fileDone`'s index counts finished files, so lines
 * come in the order photos finish.
 */
export interface Reporter {
  start(total: number): void;
  /** `pixels`: the photo's size from its header (null when unreadable), for the ETA. */
  fileStart(input: string, pixels: number | null): void;
  progress(input: string, p: Progress): void;
  fileDone(index: number, rec: FileRecord): void;
  notice(message: string): void;
  /** No photo starts any more: the time left is that of the photos in progress. */
  stopping(): void;
  /** The command leaves at once (cli/main.ts leaveNow): the terminal as it was, nothing more said. */
  abandon(): void;
  finish(summary: Summary): void;
}

export interface ReporterStreams {
  stdout: NodeJS.WriteStream;
  stderr: NodeJS.WriteStream;
}

export function createReporter(mode: 'json' | 'auto', streams: ReporterStreams = process): Reporter {
  if (mode === 'json') return new JsonReporter(streams);
  return streams.stderr.isTTY ? new BarReporter(streams) : new LineReporter(streams);
}

/** Paths as the user typed them where possible: relative to the working folder if inside it. */
export function displayPath(p: string): string {
  const rel = path.relative(process.cwd(), p);
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : p;
}

export function describeRecord(rec: FileRecord): string {
  switch (rec.status) {
    case 'ok': {
      const secs = rec.timings ? `, ${(rec.timings.total / 1000).toFixed(2)} s` : '';
      return `${displayPath(rec.input)} -> ${displayPath(rec.output ?? '')} (${rec.width}x${rec.height}${secs})`;
    }
    case 'skipped':
      return `skipped ${displayPath(rec.input)}: ${rec.reason ?? ''}`;
    case 'failed':
      return `error ${displayPath(rec.input)}: ${rec.reason ?? 'failed'}`;
    case 'aborted':
      return `aborted ${displayPath(rec.input)}: nothing written`;
  }
}

export function describeSummary(s: Summary): string {
  const parts = [`${s.ok} dehazed`];
  if (s.skipped) parts.push(`${s.skipped} skipped`);
  if (s.failed) parts.push(`${s.failed} failed`);
  if (s.aborted) parts.push(`${s.aborted} aborted`);
  if (s.notStarted) parts.push(`${s.notStarted} not started`);
  const head = s.interrupted ? 'Interrupted' : 'Done';
  return `${head}: ${parts.join(', ')} of ${s.total} in ${s.seconds.toFixed(1)} s`;
}

/**
 * A progress bar of finished photos plus the fractions of those in progress, with the ETA of
 * common/eta.ts (pixels done per second over all photos at once) rather than cli-progress's own
 * (photos per second, blind to their sizes).
 */
class BarReporter implements Reporter {
  private multi: cliProgress.MultiBar | null = null;
  private bar: cliProgress.SingleBar | null = null;
  private eta: BatchEta | null = null;
  private finished = 0;
  private total = 0;
  /** Photos started or finished, by input: their place in the ETA's batch. */
  private readonly slots = new Map<string, number>();
  /** Photos in progress: their stage and how far into the photo they are (0..1). */
  private readonly inFlight = new Map<string, { stage: string; fraction: number }>();

  constructor(private readonly streams: ReporterStreams) {}

  start(total: number): void {
    this.total = total;
    this.eta = new BatchEta(total, () => performance.now());
    this.multi = new cliProgress.MultiBar(
      {
        stream: this.streams.stderr,
        format: '{bar} {files} | ETA {left} | {file}',
        hideCursor: true,
        clearOnComplete: true,
        fps: 5,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar = this.multi.create(total, 0, { files: `0/${total}`, left: formatDuration(null), file: '' });
  }

  fileStart(input: string, pixels: number | null): void {
    const slot = this.slot(input);
    this.eta?.start(slot);
    if (pixels !== null) this.eta?.setPixels(slot, pixels);
    this.inFlight.set(input, { stage: 'decode', fraction: 0 });
    this.redraw();
  }

  progress(input: string, p: Progress): void {
    const fraction = photoFraction(p.stage, p.done, p.total);
    this.eta?.progress(this.slot(input), fraction);
    this.inFlight.set(input, { stage: p.stage, fraction });
    this.redraw();
  }

  fileDone(index: number, rec: FileRecord): void {
    const slot = this.slot(rec.input);
    // A photo skipped or refused before its work (a taken name, a bad argument) took no time.
    if (rec.status === 'skipped' || !this.inFlight.has(rec.input)) this.eta?.drop(slot);
    else if (rec.status === 'ok') this.eta?.finish(slot);
    else this.eta?.fail(slot);
    this.inFlight.delete(rec.input);
    this.finished = index + 1;
    // Above the bar; or, where stdout goes to a file, there, as plain lines (errors stay on stderr).
    if (this.streams.stdout.isTTY || rec.status === 'failed') this.multi?.log(`${describeRecord(rec)}\n`);
    else this.streams.stdout.write(`[${index + 1}/${this.total}] ${describeRecord(rec)}\n`);
    this.redraw();
  }

  private slot(input: string): number {
    let slot = this.slots.get(input);
    if (slot === undefined) {
      slot = this.slots.size;
      this.slots.set(input, slot);
    }
    return slot;
  }

  private redraw(): void {
    let value = this.finished;
    const names: string[] = [];
    for (const [input, f] of this.inFlight) {
      value += f.fraction;
      names.push(`${path.basename(input)} ${f.stage}`);
    }
    const left = formatDuration(this.eta?.secondsLeft() ?? null);
    this.bar?.update(Math.min(value, this.total), { files: `${this.finished}/${this.total}`, left, file: names.join(', ') });
  }

  notice(message: string): void {
    this.multi?.log(`${message}\n`);
  }

  stopping(): void {
    this.eta?.stopStarting();
    this.redraw();
  }

  abandon(): void {
    // Draw once more: the lines logged since the last frame are written only when one is drawn,
    // and stop() would drop them (the last photos' lines, an error among them).
    this.multi?.update();
    this.multi?.stop();
  }

  finish(summary: Summary): void {
    this.abandon();
    this.streams.stderr.write(`${describeSummary(summary)}\n`);
  }
}

class LineReporter implements Reporter {
  private total = 0;

  constructor(private readonly streams: ReporterStreams) {}

  start(total: number): void {
    this.total = total;
  }

  fileStart(): void {}

  progress(): void {}

  fileDone(index: number, rec: FileRecord): void {
    const line = `[${index + 1}/${this.total}] ${describeRecord(rec)}\n`;
    (rec.status === 'failed' ? this.streams.stderr : this.streams.stdout).write(line);
  }

  notice(message: string): void {
    this.streams.stderr.write(`${message}\n`);
  }

  stopping(): void {}

  abandon(): void {}

  finish(summary: Summary): void {
    this.streams.stdout.write(`${describeSummary(summary)}\n`);
  }
}

/** stdout carries only the per-file JSON lines; notices and the summary go to stderr. */
class JsonReporter implements Reporter {
  constructor(private readonly streams: ReporterStreams) {}

  start(): void {}

  fileStart(): void {}

  progress(): void {}

  fileDone(_index: number, rec: FileRecord): void {
    const timings = rec.timings
      ? Object.fromEntries(Object.entries(rec.timings).map(([k, v]) => [`${k}Ms`, Math.round(v * 10) / 10]))
      : undefined;
    const line = {
      status: rec.status,
      input: rec.input,
      output: rec.output ?? null,
      ...(rec.reason !== undefined ? { reason: rec.reason } : {}),
      ...(rec.width !== undefined ? { width: rec.width, height: rec.height, format: rec.format, bitDepth: rec.bitDepth } : {}),
      ...(timings ? { timings } : {}),
    };
    this.streams.stdout.write(`${JSON.stringify(line)}\n`);
  }

  notice(message: string): void {
    this.streams.stderr.write(`${message}\n`);
  }

  stopping(): void {}

  abandon(): void {}

  finish(summary: Summary): void {
    this.streams.stderr.write(`${describeSummary(summary)}\n`);
  }
}
