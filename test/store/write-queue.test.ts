import { describe, expect, it } from 'vitest';
import { WriteQueue, type QueueTimers, type WriteFailure } from '../../src/store/write-queue.js';
import { StoreBackpressureError } from '../../src/store/errors.js';

/** A manual clock: timers fire only when the test advances time. */
class FakeTimers implements QueueTimers {
  t = 0;
  private seq = 0;
  private readonly pending = new Map<number, { at: number; fn: () => void }>();
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.seq;
    this.pending.set(id, { at: this.t + ms, fn });
    return id;
  }
  clearTimeout(h: unknown): void {
    this.pending.delete(h as number);
  }
  setImmediate(fn: () => void): unknown {
    return this.setTimeout(fn, 0);
  }
  clearImmediate(h: unknown): void {
    this.clearTimeout(h);
  }
  now(): number {
    return this.t;
  }
  /** Fires due timers in order, letting the queue's async drain settle after each. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await settle();
      const due = [...this.pending.entries()].filter(([, p]) => p.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
      if (!due) break;
      this.pending.delete(due[0]);
      this.t = due[1].at;
      due[1].fn();
    }
    await settle();
    this.t = end;
  }
  get scheduled(): number {
    return this.pending.size;
  }
}

const settle = () => new Promise<void>((r) => setImmediate(r));

const CONFIG = { flushIntervalMs: 100, flushMaxCells: 4, maxCellsPerTransaction: 3, maxPendingCells: 10, retryInitialMs: 50, retryMaxMs: 200 };

function setup(failWhile: () => boolean = () => false) {
  const timers = new FakeTimers();
  const batches: number[][] = [];
  const failures: WriteFailure[] = [];
  const recovered: { pausedMs: number; written: number }[] = [];
  const queue = new WriteQueue<number>({
    config: CONFIG,
    timers,
    write: (b) => {
      if (failWhile()) throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
      batches.push([...b]);
    },
    onFailure: (f) => failures.push(f),
    onRecovered: (r) => recovered.push(r),
  });
  return { timers, batches, failures, recovered, queue };
}

describe('WriteQueue', () => {
  it.each([
    // [what happens, items enqueued, ms advanced, transactions written]
    ['fewer than flushMaxCells wait for the interval', [1, 2], 99, []],
    ['the interval flushes them', [1, 2], 100, [[1, 2]]],
    ['flushMaxCells flushes on the next tick, in transactions of maxCellsPerTransaction', [1, 2, 3, 4, 5], 0, [[1, 2, 3], [4, 5]]],
  ] as const)('%s', async (_, items, ms, expected) => {
    const { timers, batches, queue } = setup();
    queue.enqueue(items);
    expect(batches).toEqual([]); // never written inside enqueue (off the hot path)
    await timers.advance(ms);
    expect(batches).toEqual(expected);
  });

  it('DISK FULL - keeps the batch, retries with doubling backoff up to the max, reports once as first', async () => {
    let full = true;
    const { timers, batches, failures, recovered, queue } = setup(() => full);
    queue.enqueue([1, 2]);
    await timers.advance(100);
    expect(failures.map((f) => [f.first, f.retryInMs, f.pending])).toEqual([[true, 50, 2]]);
    await timers.advance(50 + 100 + 200 + 200);
    expect(failures.map((f) => f.retryInMs)).toEqual([50, 100, 200, 200, 200]);
    expect(failures.slice(1).every((f) => !f.first)).toBe(true);
    queue.enqueue([3]); // held; does not schedule its own flush while failing
    expect(queue.pending).toBe(3);
    full = false;
    await timers.advance(200);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(recovered).toEqual([{ pausedMs: 750, written: 3 }]);
    expect(queue.failing).toBe(false);
  });

  it('BACKPRESSURE - past maxPendingCells enqueue throws and keeps what it had', async () => {
    const { timers, queue } = setup(() => true);
    queue.enqueue([1, 2, 3]);
    await timers.advance(100);
    queue.enqueue([4, 5, 6, 7, 8, 9, 10]);
    expect(() => queue.enqueue([11])).toThrow(StoreBackpressureError);
    expect(() => queue.enqueue([11])).toThrow(/cannot take 1 more cells: 10 are waiting to be written \(limit 10\) because writing fails: database or disk is full/);
    expect(queue.pending).toBe(10);
  });

  it('items queued while a write is in flight follow in the same drain; flush() waits for it', async () => {
    const batches: number[][] = [];
    let release: () => void = () => undefined;
    const queue = new WriteQueue<number>({
      config: CONFIG,
      timers: new FakeTimers(),
      write: (b) =>
        new Promise<void>((resolve) => {
          batches.push([...b]);
          release = resolve;
        }),
    });
    queue.enqueue([1, 2]);
    const first = queue.flush();
    expect(queue.busy).toBe(true);
    queue.enqueue([3]);
    const second = queue.flush(); // waits for the write in flight, then for [3]
    release();
    await settle();
    expect(batches).toEqual([[1, 2], [3]]);
    release();
    expect(await first).toBe(true);
    expect(await second).toBe(true);
    expect(queue.pending).toBe(0);
  });

  it('close() cancels every timer', () => {
    const { timers, queue } = setup();
    queue.enqueue([1]);
    expect(timers.scheduled).toBe(1);
    queue.close();
    expect(timers.scheduled).toBe(0);
    expect(() => queue.enqueue([2])).toThrow(/closed/);
  });
});
