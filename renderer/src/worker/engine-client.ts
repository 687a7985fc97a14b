/** The UI thread's side of the engine worker: a promise per call, progress, cancellation. */
import { AbortError, isAbortError } from '../../../engine/abort';
import type { Progress } from '../../../engine/types';
import type { CallMessage, CallName, CancelMessage, PreviewRequest, PreviewResult, RequestOf, ResponseOf, WorkerResponse } from './protocol';

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  onProgress?: (p: Progress) => void;
}

export interface RequestOptions {
  signal?: AbortSignal;
  onProgress?: (p: Progress) => void;
  transfer?: Transferable[];
}

export class EngineClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly worker: Worker) {
    worker.onmessage = (event: MessageEvent<WorkerResponse>) => this.receive(event.data);
    worker.onerror = (event) => {
      const error = new Error(`engine worker failed: ${event.message || 'unknown error'}`);
      for (const p of this.pending.values()) p.reject(error);
      this.pending.clear();
    };
  }

  static start(): EngineClient {
    return new EngineClient(new Worker(new URL('./engine.worker.ts', import.meta.url), { type: 'module', name: 'hazeless-engine' }));
  }

  /** Asks the worker for `name`; the request and the answer are typed by `EngineCalls`. */
  call<N extends CallName>(name: N, request: RequestOf<N>, opts: RequestOptions = {}): Promise<ResponseOf<N>> {
    const id = this.nextId++;
    return new Promise<ResponseOf<N>>((resolve, reject) => {
      if (opts.signal?.aborted) {
        reject(new AbortError());
        return;
      }
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, onProgress: opts.onProgress });
      opts.signal?.addEventListener('abort', () => this.post({ type: 'cancel', id }), { once: true });
      const message: CallMessage<N> = { type: 'call', id, name, request };
      this.post(message, opts.transfer);
    });
  }

  terminate(): void {
    this.worker.terminate();
    for (const p of this.pending.values()) p.reject(new AbortError());
    this.pending.clear();
  }

  private post<N extends CallName>(message: CallMessage<N> | CancelMessage, transfer: Transferable[] = []): void {
    this.worker.postMessage(message, transfer);
  }

  private receive(msg: WorkerResponse): void {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.type === 'progress') {
      p.onProgress?.(msg.progress);
      return;
    }
    this.pending.delete(msg.id);
    if (msg.type === 'result') p.resolve(msg.value);
    else p.reject(msg.aborted ? new AbortError() : new Error(msg.message));
  }
}

/**
 * Slider drags produce values faster than frames render: one preview is in flight at a time and
 * only the newest waiting request survives, so the picture always catches up with the slider.
 */
export class LatestOnly {
  private inFlight = false;
  private waiting: PreviewRequest | null = null;

  constructor(
    private readonly client: EngineClient,
    private readonly onResult: (r: PreviewResult) => void,
    private readonly onError: (e: Error, req: PreviewRequest) => void,
  ) {}

  request(req: PreviewRequest): void {
    this.waiting = req;
    if (!this.inFlight) void this.pump();
  }

  /** Drops a waiting request (e.g. the photo changed). */
  clear(): void {
    this.waiting = null;
  }

  get busy(): boolean {
    return this.inFlight;
  }

  private async pump(): Promise<void> {
    while (this.waiting) {
      const req = this.waiting;
      this.waiting = null;
      this.inFlight = true;
      try {
        const result = await this.client.call('preview', req);
        this.onResult(result);
      } catch (e) {
        if (!isAbortError(e)) this.onError(e as Error, req);
      } finally {
        this.inFlight = false;
      }
    }
  }
}
