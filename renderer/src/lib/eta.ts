/**
 * Time left in a batch: photos differ in size, so the rate is measured in megapixels per second
 * over the finished photos, and the photo in progress counts by its own progress fraction.
 */
export interface EtaInput {
  /** Seconds since the batch started. */
  elapsed: number;
  /** Pixels of every photo in the batch, in order. */
  pixels: number[];
  /** How many photos are finished (any outcome). */
  finished: number;
  /** 0..1 progress inside the current photo. */
  currentFraction: number;
}

/** Seconds left, or null before there is enough to go on. */
export function secondsLeft(input: EtaInput): number | null {
  const { elapsed, pixels, finished, currentFraction } = input;
  if (finished >= pixels.length) return 0;
  const donePixels =
    pixels.slice(0, finished).reduce((a, b) => a + b, 0) + (pixels[finished] ?? 0) * Math.min(1, Math.max(0, currentFraction));
  if (donePixels <= 0 || elapsed <= 0.2) return null;
  const total = pixels.reduce((a, b) => a + b, 0);
  return ((total - donePixels) * elapsed) / donePixels;
}

export function formatDuration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return 'estimating…';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}
