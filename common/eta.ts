/**
 * Time left in a batch, the same for the desktop export, browser mode and the CLI. Photos differ
 * in size and several may be in progress at once (one per lane), so the rate is measured in
 * pixels done per wall-clock second over the whole batch: a finished photo counts all its
 * pixels, one in progress its pixels times how far along it is, one not started none. The pixels
 * left at that rate give the time left, whatever the number of lanes.
 */

/** One photo of a batch as the estimate sees it. */
export interface EtaPhoto {
  /** Its pixel count; null while unknown (counts as the average of the known ones, or 1 when none is). */
  pixels: number | null;
  /** 0..1: 0 not started, 1 finished (any outcome), in between while in progress. */
  done: number;
  /** Skipped or failed: its pixels say nothing of a photo's size, so they stay out of the average. */
  settledEarly?: boolean;
}

/** Before this many seconds the rate is mostly start-up cost. */
const MIN_ELAPSED_S = 0.2;

/** Seconds left, 0 when every photo is finished, or null before there is enough to go on. */
export function secondsLeft(elapsedSeconds: number, photos: readonly EtaPhoto[]): number | null {
  const average = averagePixels(photos);
  let total = 0;
  let done = 0;
  for (const p of photos) {
    const pixels = p.pixels ?? average;
    total += pixels;
    done += pixels * Math.min(1, Math.max(0, p.done));
  }
  if (done >= total) return 0;
  if (done <= 0 || elapsedSeconds <= MIN_ELAPSED_S) return null;
  return ((total - done) * elapsedSeconds) / done;
}

/** What a photo of unknown size counts as: the mean size of the photos whose size is known, or 1. */
function averagePixels(photos: readonly EtaPhoto[]): number {
  const known = photos.flatMap((p) => (p.pixels === null || p.settledEarly ? [] : [p.pixels]));
  return known.length > 0 ? known.reduce((a, b) => a + b, 0) / known.length : 1;
}

/**
 * The bookkeeping of `secondsLeft` for a batch of `count` photos, by index. `now` in
 * milliseconds (performance.now, Date.now); the clock starts when the batch is created.
 */
export class BatchEta {
  private readonly photos: EtaPhoto[];
  private readonly started: number;
  /** The photos that have started (by index). */
  private readonly begun = new Set<number>();

  constructor(
    count: number,
    private readonly now: () => number,
  ) {
    this.photos = Array.from({ length: count }, () => ({ pixels: null, done: 0 }));
    this.started = now();
  }

  /** The photo has started. */
  start(index: number): void {
    this.begun.add(index);
  }

  /** No photo starts any more (a batch told to stop after the photos in progress): those not started weigh nothing. */
  stopStarting(): void {
    for (let i = 0; i < this.photos.length; i++) if (!this.begun.has(i) && this.photos[i].done === 0) this.drop(i);
  }

  /** The photo's size, once known (from its header, or once decoded). */
  setPixels(index: number, pixels: number): void {
    this.photos[index].pixels = pixels;
  }

  /**
   * How far along the photo is, 0..1 (see `photoFraction`). Never moves back: a stage whose
   * sub-steps each report from 0 would otherwise make the estimate jump.
   */
  progress(index: number, fraction: number): void {
    const p = this.photos[index];
    p.done = Math.max(p.done, fraction);
  }

  /** The photo is written. */
  finish(index: number): void {
    this.photos[index].done = 1;
  }

  /**
   * The photo failed or was cancelled: the work it did counts, the rest of it is not to be done.
   * (Counting it whole would make a photo that fails at once look like fast work.)
   */
  fail(index: number): void {
    const p = this.photos[index];
    this.photos[index] = { pixels: (p.pixels ?? averagePixels(this.photos)) * p.done, done: 1, settledEarly: true };
  }

  /** The photo takes no work (skipped before it started): it weighs nothing either way. */
  drop(index: number): void {
    this.photos[index] = { pixels: 0, done: 1, settledEarly: true };
  }

  secondsLeft(): number | null {
    return secondsLeft((this.now() - this.started) / 1000, this.photos);
  }
}

/**
 * Rough share of a photo's time per stage, so a photo's fraction moves evenly. The names are the
 * engine's (downscale, network, guided-filter) and the export progress's ones (estimate covers
 * those three).
 */
const STAGE_SPAN: Readonly<Record<string, readonly [number, number]>> = {
  queued: [0, 0],
  decode: [0, 0.1],
  estimate: [0.1, 0.4],
  downscale: [0.1, 0.2],
  network: [0.2, 0.3],
  'guided-filter': [0.3, 0.4],
  render: [0.4, 0.8],
  encode: [0.8, 1],
  write: [0.8, 1],
  done: [1, 1],
};

/** How far along a photo is, 0..1, from its stage and the progress inside that stage. */
export function photoFraction(stage: string, done: number, total: number): number {
  const span = STAGE_SPAN[stage];
  if (!span) return 0;
  const within = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  return span[0] + (span[1] - span[0]) * within;
}

/** "42 s", "2 min 05 s", "3 h 07 min"; "estimating…" while there is no estimate. */
export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating…';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
