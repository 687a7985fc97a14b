/**
 * Who waits for whom inside the engine worker: network runs one at a time, previews in the order
 * they were asked for, and background preparation after the photo on screen.
 */
import { throwIfAborted } from '../../../engine/abort';

export const now = (): number => performance.now();

// One network run at a time: onnxruntime sessions are not re-entrant, and two runs would only
// split the same cores anyway.
let networkChain: Promise<unknown> = Promise.resolve();
export function serially<T>(job: () => Promise<T>): Promise<T> {
  const next = networkChain.then(job, job);
  networkChain = next.catch(() => undefined);
  return next;
}

// Previews run one after another: each is short, and order matters (the newest is drawn last).
let previewChain: Promise<unknown> = Promise.resolve();
export function previewInOrder<T>(job: () => T | Promise<T>, signal: AbortSignal): Promise<T> {
  const next = previewChain.then(() => {
    throwIfAborted(signal);
    return job();
  });
  previewChain = next.catch(() => undefined);
  return next;
}

/** When the photo on screen was last re-rendered (a slider moving), for background work to wait on. */
let lastPreviewAt = -Infinity;
const FOREGROUND_QUIET_MS = 400;

/** The photo on screen is being re-rendered now. */
export function markForeground(): void {
  lastPreviewAt = now();
}

/**
 * Background preparation (the next photo) waits between its stages while the photo on screen is
 * being re-rendered: each stage holds this thread for up to a second with a 24 MP photo, which a
 * slider drag would otherwise wait for.
 */
export async function foregroundQuiet(background: () => boolean, signal: AbortSignal): Promise<void> {
  while (background() && now() - lastPreviewAt < FOREGROUND_QUIET_MS) {
    throwIfAborted(signal);
    await new Promise((done) => setTimeout(done, FOREGROUND_QUIET_MS / 4));
  }
}
