import type { StoreConfig } from './config.js';
import { StoreBackpressureError } from './errors.js';

/** Timers, injectable so tests can drive the queue with a fake clock. */
export interface QueueTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  setImmediate(fn: () => void): unknown;
  clearImmediate(handle: unknown): void;
  now(): number;
}

export const REAL_TIMERS: QueueTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
  setImmediate: (fn) => setImmediate(fn),
  clearImmediate: (h) => clearImmediate(h as NodeJS.Immediate),
  now: () => Date.now(),
};

export type WriteQueueConfig = Pick<
  StoreConfig,
  'flushIntervalMs' | 'flushMaxCells' | 'maxCellsPerTransaction' | 'maxPendingCells' | 'retryInitialMs' | 'retryMaxMs'
>;

export interface WriteFailure {
  readonly error: unknown;
  readonly pending: number;
  readonly retryInMs: number;
  /** True for the first failure after a run of successes. */
  readonly first: boolean;
}

export interface WriteQueueOptions<T, R = void> {
  /**
   * Writes one batch atomically (one transaction): either all of it is stored, or it throws /
   * rejects and none is. At most one write is in flight at a time.
   */
  readonly write: (batch: readonly T[]) => R | Promise<R>;
  /** Called with the write's result once the batch has left the queue. */
  readonly onWritten?: (result: R) => void;
  readonly config: WriteQueueConfig;
  readonly onFailure?: (failure: WriteFailure) => void;
  readonly onRecovered?: (info: { pausedMs: number; written: number }) => void;
  readonly timers?: QueueTimers;
}

/**
 * A bounded write-behind queue. `enqueue` only appends (never touches the disk); the batch is
 * written on a timer, or on the next tick once `flushMaxCells` are waiting, in transactions of at
 * most `maxCellsPerTransaction`, one write in flight at a time (items queued meanwhile follow in
 * the same drain). A failed write keeps the batch, reports the failure and retries
 * with exponential backoff; past `maxPendingCells`, `enqueue` throws StoreBackpressureError rather
 * than drop anything.
 */
export class WriteQueue<T, R = void> {
  private items: T[] = [];
  private timer: unknown = null;
  private immediate: unknown = null;
  private retryTimer: unknown = null;
  private failingSince: number | null = null;
  private retryDelayMs: number;
  private writtenWhileFailing = 0;
  private lastErrorMessage: string | null = null;
  private closed = false;
  private draining: Promise<boolean> | null = null;
  private readonly timers: QueueTimers;

  constructor(private readonly options: WriteQueueOptions<T, R>) {
    this.timers = options.timers ?? REAL_TIMERS;
    this.retryDelayMs = options.config.retryInitialMs;
  }

  get pending(): number {
    return this.items.length;
  }

  /** How many queued items match `predicate`. */
  countPending(predicate: (item: T) => boolean): number {
    let n = 0;
    for (const item of this.items) if (predicate(item)) n++;
    return n;
  }

  /** True while writes fail and the queue is waiting to retry. */
  get failing(): boolean {
    return this.failingSince !== null;
  }

  get lastError(): string | null {
    return this.lastErrorMessage;
  }

  enqueue(items: readonly T[]): void {
    if (this.closed) throw new Error('the write queue is closed');
    if (items.length === 0) return;
    const limit = this.options.config.maxPendingCells;
    if (this.items.length + items.length > limit) {
      throw new StoreBackpressureError(this.items.length, items.length, limit, this.lastErrorMessage);
    }
    this.items.push(...items);
    this.schedule();
  }

  /** True while a write is in flight. */
  get busy(): boolean {
    return this.draining !== null;
  }

  /**
   * Writes everything queued now (waiting for a write in flight first). Resolves true when the
   * queue is empty afterwards, false after a failed write (the items stay queued and a retry is
   * scheduled). Never rejects.
   */
  flush(): Promise<boolean> {
    if (this.draining) return this.draining.then(() => (this.items.length > 0 ? this.flush() : !this.failing));
    this.clearTimers();
    const run = this.drain().finally(() => {
      this.draining = null;
      // Items queued between the end of the drain and now would otherwise wait for the next enqueue.
      if (this.items.length > 0 && !this.closed) this.schedule();
    });
    this.draining = run;
    return run;
  }

  private async drain(): Promise<boolean> {
    const { maxCellsPerTransaction } = this.options.config;
    while (this.items.length > 0) {
      const n = Math.min(this.items.length, maxCellsPerTransaction);
      let result: R;
      try {
        // Items are only appended meanwhile, so the first n are still this batch afterwards.
        result = await this.options.write(this.items.slice(0, n));
      } catch (error) {
        this.fail(error);
        return false;
      }
      this.items.splice(0, n);
      if (this.failingSince !== null) this.writtenWhileFailing += n;
      this.options.onWritten?.(result);
    }
    if (this.failingSince !== null) {
      const info = { pausedMs: this.timers.now() - this.failingSince, written: this.writtenWhileFailing };
      this.failingSince = null;
      this.writtenWhileFailing = 0;
      this.lastErrorMessage = null;
      this.retryDelayMs = this.options.config.retryInitialMs;
      this.options.onRecovered?.(info);
    }
    return true;
  }

  /** Stops the timers. Items still queued stay readable through `pending`; the owner decides what to do. */
  close(): void {
    this.closed = true;
    this.clearTimers();
  }

  private schedule(): void {
    if (this.failingSince !== null) return; // the retry timer owns the next attempt
    if (this.draining !== null && this.items.length < this.options.config.flushMaxCells) return; // the drain in flight takes them
    if (this.items.length >= this.options.config.flushMaxCells) {
      if (this.immediate === null) {
        this.immediate = this.timers.setImmediate(() => {
          this.immediate = null;
          void this.flush();
        });
      }
    } else if (this.timer === null) {
      this.timer = this.timers.setTimeout(() => {
        this.timer = null;
        void this.flush();
      }, this.options.config.flushIntervalMs);
    }
  }

  private fail(error: unknown): void {
    const first = this.failingSince === null;
    if (first) this.failingSince = this.timers.now();
    else this.retryDelayMs = Math.min(this.retryDelayMs * 2, this.options.config.retryMaxMs);
    this.lastErrorMessage = error instanceof Error ? error.message : String(error);
    const retryInMs = this.retryDelayMs;
    if (!this.closed) {
      this.retryTimer = this.timers.setTimeout(() => {
        this.retryTimer = null;
        void this.flush();
      }, retryInMs);
    }
    this.options.onFailure?.({ error, pending: this.items.length, retryInMs, first });
  }

  private clearTimers(): void {
    if (this.timer !== null) this.timers.clearTimeout(this.timer);
    if (this.retryTimer !== null) this.timers.clearTimeout(this.retryTimer);
    if (this.immediate !== null) this.timers.clearImmediate(this.immediate);
    this.timer = this.retryTimer = this.immediate = null;
  }
}
