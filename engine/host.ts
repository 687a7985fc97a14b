/**
 * What the engine takes from its host. It runs in a browser window, a Web Worker and Node, and
 * compiles with none of their type libraries (tsconfig.engine.json), so each host facility it uses
 * is declared here, no wider than the engine needs, and read from globalThis.
 */

/** The part of an AbortSignal (the DOM's and Node's alike) the engine reads. */
export interface AbortSignalLike {
  readonly aborted: boolean;
  readonly reason?: unknown;
}

interface MessagePortLike {
  onmessage: (() => void) | null;
  postMessage(message: null): void;
  close(): void;
}

interface HostGlobals {
  setTimeout(callback: () => void, ms: number): unknown;
  /** Node only. */
  setImmediate?: (callback: () => void) => unknown;
  MessageChannel?: new () => { port1: MessagePortLike; port2: MessagePortLike };
  performance?: { now(): number };
}

export const host = globalThis as unknown as HostGlobals;
