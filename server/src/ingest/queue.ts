/**
 * A gate limiting how many ingests (ffmpeg extractions) run at once; the rest wait in FIFO order
 * and can be cancelled while they wait.
 */
import { MaskroomError } from '@maskroom/shared';

export interface IngestQueueOptions {
  /** Tasks running at once. Default 2. */
  readonly concurrency?: number;
}

export interface RunOptions {
  /** Aborting while queued removes the task (it never starts) and rejects with `CANCELLED`;
   * once started, the task sees the abort through the signal it is given. */
  readonly signal?: AbortSignal;
  /** Called when the task leaves the queue and starts. */
  readonly onStart?: () => void;
}

interface Waiter {
  readonly start: () => void;
}

export class IngestQueue {
  readonly concurrency: number;
  #running = 0;
  readonly #waiting: Waiter[] = [];

  constructor(opts: IngestQueueOptions = {}) {
    const concurrency = opts.concurrency ?? 2;
    if (!Number.isInteger(concurrency) || concurrency < 1) {
      throw new RangeError(`concurrency must be a positive integer, got ${concurrency}`);
    }
    this.concurrency = concurrency;
  }

  /** Tasks running now. */
  get running(): number {
    return this.#running;
  }

  /** Tasks waiting for a slot. */
  get waiting(): number {
    return this.#waiting.length;
  }

  /**
   * Runs `task` when a slot is free and settles as it does. The task receives the caller's signal
   * (or one that never aborts).
   */
  run<T>(task: (signal: AbortSignal) => Promise<T>, opts: RunOptions = {}): Promise<T> {
    const signal = opts.signal ?? new AbortController().signal;
    if (signal.aborted) return Promise.reject(queuedCancelled());
    return new Promise<T>((resolve, reject) => {
      const start = (): void => {
        signal.removeEventListener('abort', onAbort);
        this.#running++;
        let settled: Promise<T>;
        try {
          opts.onStart?.();
          settled = task(signal);
        } catch (error) {
          settled = Promise.reject(error);
        }
        settled.then(resolve, reject).finally(() => {
          this.#running--;
          this.#next();
        });
      };
      const waiter: Waiter = { start };
      const onAbort = (): void => {
        const at = this.#waiting.indexOf(waiter);
        if (at < 0) return;
        this.#waiting.splice(at, 1);
        reject(queuedCancelled());
      };
      if (this.#running < this.concurrency) {
        start();
      } else {
        signal.addEventListener('abort', onAbort, { once: true });
        this.#waiting.push(waiter);
      }
    });
  }

  #next(): void {
    while (this.#running < this.concurrency) {
      const waiter = this.#waiting.shift();
      if (waiter === undefined) return;
      waiter.start();
    }
  }
}

const queuedCancelled = (): MaskroomError =>
  new MaskroomError('CANCELLED', 'The ingest was cancelled while waiting for its turn.');
