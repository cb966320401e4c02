/**
 * Where queued batches are committed: in a writer thread (default; the commit's fsync runs off the
 * event loop) or inline on the caller's connection (synchronous; for tools and tests that want it).
 */
import type Database from 'better-sqlite3';
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/start-worker.js';
import { createBatchWriter, type BatchResult, type QueuedWrite } from './batch-writer.js';
import type { StoreConfig } from './config.js';

/** How long close() waits for the writer thread to close its connection before terminating it. */
const CLOSE_TIMEOUT_MS = 5_000;

export interface BatchWriter {
  /** Commits one batch atomically; rejects with the SQLite error (its `code` kept) if it cannot. */
  write(batch: readonly QueuedWrite[]): Promise<BatchResult>;
  /** Runs a PRAGMA on the writing connection (diagnostics and tests, e.g. max_page_count). */
  pragma(pragma: string): Promise<unknown>;
  /** Gets ready to write (starts the thread and opens its connection) without waiting for it. */
  warm(): void;
  close(): Promise<void>;
}

export interface WriterInit {
  readonly file: string;
  readonly config: Pick<StoreConfig, 'busyTimeoutMs' | 'synchronous'>;
}

export type WriterRequest =
  | { readonly type: 'write'; readonly id: number; readonly batch: readonly QueuedWrite[] }
  | { readonly type: 'pragma'; readonly id: number; readonly pragma: string }
  | { readonly type: 'close'; readonly id: number };

export type WriterReply =
  | { readonly type: 'written'; readonly id: number; readonly result: BatchResult }
  | { readonly type: 'pragma'; readonly id: number; readonly result: unknown }
  | { readonly type: 'failed'; readonly id: number; readonly error: { readonly code: string; readonly message: string } }
  | { readonly type: 'closed'; readonly id: number };

/** Same connection as the reads; a commit blocks the caller for its duration. */
export class InlineWriter implements BatchWriter {
  private readonly run: (batch: readonly QueuedWrite[]) => BatchResult;
  constructor(private readonly db: Database.Database) {
    this.run = createBatchWriter(db);
  }
  write(batch: readonly QueuedWrite[]): Promise<BatchResult> {
    try {
      return Promise.resolve(this.run(batch));
    } catch (err) {
      return Promise.reject(err);
    }
  }
  pragma(pragma: string): Promise<unknown> {
    return Promise.resolve(this.db.pragma(pragma));
  }
  warm(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Error thrown for a failed write in the writer thread, with SQLite's code (e.g. 'SQLITE_FULL'). */
export class WriterError extends Error {
  override readonly name = 'WriterError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Owns a writer thread with its own connection. The thread starts on the first request (a store
 * that only reads never starts one); if it dies, pending requests reject and the next one starts a
 * new thread. It keeps the process alive only while a request is in flight. close() ends it.
 */
export class WorkerWriter implements BatchWriter {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private closed = false;

  constructor(private readonly init: WriterInit) {}

  write(batch: readonly QueuedWrite[]): Promise<BatchResult> {
    return this.request({ type: 'write', batch }) as Promise<BatchResult>;
  }

  pragma(pragma: string): Promise<unknown> {
    return this.request({ type: 'pragma', pragma });
  }

  warm(): void {
    // A failure here is reported by the first real write, which retries.
    if (!this.worker && !this.closed) this.pragma('user_version').catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const worker = this.worker;
    if (!worker) return;
    worker.ref(); // an idle thread is unref'd: keep the process alive until it has closed its connection
    const id = this.nextId++;
    const closed = new Promise<void>((resolve) => this.pending.set(id, { resolve: () => resolve(), reject: () => resolve() }));
    worker.postMessage({ type: 'close', id } satisfies WriterRequest);
    let timer: NodeJS.Timeout | undefined;
    // The thread closes its connection and answers; if it does not within CLOSE_TIMEOUT_MS it is terminated anyway.
    await Promise.race([closed, new Promise<void>((resolve) => (timer = setTimeout(resolve, CLOSE_TIMEOUT_MS)))]);
    clearTimeout(timer);
    await worker.terminate();
    this.worker = null;
  }

  private request(req: { type: 'write'; batch: readonly QueuedWrite[] } | { type: 'pragma'; pragma: string }): Promise<unknown> {
    if (this.closed) return Promise.reject(new Error('the scan store writer is closed'));
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    worker.ref(); // keep the process alive while a write is in flight
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ ...req, id } as WriterRequest);
    });
  }

  private start(): Worker {
    const worker = startWorker(import.meta.url, './write-worker', this.init);
    worker.on('message', (reply: WriterReply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      // An idle writer thread does not keep the process alive (an owner that forgets close() does not hang it).
      if (this.pending.size === 0 && !this.closed) worker.unref();
      if (reply.type === 'failed') waiter.reject(new WriterError(reply.error.code, reply.error.message));
      else if (reply.type === 'written' || reply.type === 'pragma') waiter.resolve(reply.result);
      else waiter.resolve(undefined);
    });
    const fail = (err: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, waiter] of this.pending) {
        this.pending.delete(id);
        waiter.reject(err);
      }
    };
    worker.on('error', (err) => fail(new WriterError('WRITER_ERROR', `the scan store writer thread failed: ${err.message}`)));
    worker.on('exit', (code) => fail(new WriterError('WRITER_EXIT', `the scan store writer thread exited (code ${code})`)));
    this.worker = worker;
    return worker;
  }
}
