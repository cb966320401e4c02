/**
 * Event-loop delay of this process over the last interval, from
 * perf_hooks.monitorEventLoopDelay: p50 / p99 / max in milliseconds, as the
 * lateness of its 10 ms timer (an idle loop reads ~0, not 10). The server
 * shows the last closed interval in /healthz and on the dashboard's Health view.
 *
 * Each interval has a histogram of its own, started when the previous one
 * ends and never reset: reset() (and enable()) forget the previous tick, so a
 * block right after it is not recorded at all (seen: 2 of 3 150 ms blocks lost
 * with one histogram reset per interval). The ending histogram is read a few
 * ticks later, once any tick the loop owed it has fired, so every block is
 * reported (one at the boundary possibly in both intervals).
 */
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';

export interface LoopDelaySample {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Length of the interval the sample covers. */
  readonly intervalMs: number;
}

export const EMPTY_LOOP_DELAY: LoopDelaySample = Object.freeze({ p50Ms: 0, p99Ms: 0, maxMs: 0, intervalMs: 0 });

/** Histogram resolution: delays are measured with about this granularity. */
const RESOLUTION_MS = 10;

/** The histogram holds the whole interval between its timer's ticks (>= the resolution); the delay is what exceeds it. */
const lateMs = (ns: number) => (Number.isFinite(ns) ? Math.max(0, ns / 1e6 - RESOLUTION_MS) : 0);

function startHistogram(): IntervalHistogram {
  const h = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  h.enable();
  return h;
}

export class LoopDelayMonitor {
  private current = startHistogram();
  private since = performance.now();
  private readonly ending = new Set<IntervalHistogram>();
  private readonly timer: NodeJS.Timeout;
  private latest: LoopDelaySample = EMPTY_LOOP_DELAY;
  private closed = false;

  constructor(options: { readonly intervalMs: number }) {
    this.timer = setInterval(() => this.rotate(), options.intervalMs);
    this.timer.unref();
  }

  /** The last closed interval (zeros before the first). */
  get last(): LoopDelaySample {
    return this.latest;
  }

  close(): void {
    this.closed = true;
    clearInterval(this.timer);
    this.current.disable();
    for (const h of this.ending) h.disable();
    this.ending.clear();
  }

  private rotate(): void {
    const old = this.current;
    const since = this.since;
    this.current = startHistogram();
    this.since = performance.now();
    this.ending.add(old);
    // Two ticks later (then past the timers phase), the old histogram has every tick it was owed.
    setTimeout(() => setImmediate(() => this.finish(old, since)), 2 * RESOLUTION_MS).unref();
  }

  private finish(h: IntervalHistogram, since: number): void {
    if (this.closed || !this.ending.delete(h)) return;
    const intervalMs = performance.now() - since;
    this.latest = h.count === 0
      ? { ...EMPTY_LOOP_DELAY, intervalMs }
      : { p50Ms: lateMs(h.percentile(50)), p99Ms: lateMs(h.percentile(99)), maxMs: lateMs(h.max), intervalMs };
    h.disable();
  }
}
