import { host, type AbortSignalLike } from './host';

/** The error thrown when an AbortSignal fires; name "AbortError" like fetch and DOMException. */
export class AbortError extends Error {
  constructor(message = 'Aborted') {
    super(message);
    this.name = 'AbortError';
  }
}

export function isAbortError(e: unknown): boolean {
  return e instanceof Error && e.name === 'AbortError';
}

export function throwIfAborted(signal: AbortSignalLike | undefined): void {
  if (signal?.aborted) {
    const reason: unknown = signal.reason;
    throw reason instanceof Error && reason.name === 'AbortError' ? reason : new AbortError();
  }
}

/**
 * Lets queued events (an abort, a new slider value) run between bands of work. setTimeout(0)
 * waits at least 1 ms in Node and 4 ms in browsers once nested: a 24 MP export yields a dozen
 * times, so Node's setImmediate and a MessageChannel round trip elsewhere.
 */
export function yieldToEventLoop(): Promise<void> {
  const { setImmediate, MessageChannel } = host;
  if (setImmediate) return new Promise((resolve) => setImmediate(resolve));
  if (MessageChannel) {
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      channel.port1.onmessage = () => {
        channel.port1.close();
        resolve();
      };
      channel.port2.postMessage(null);
    });
  }
  return new Promise((resolve) => host.setTimeout(resolve, 0));
}
