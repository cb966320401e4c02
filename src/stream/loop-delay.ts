/**
 * Event-loop delay of this process over the last interval: p50 / p99 / max in
 * milliseconds, as the lateness of a 10 ms timer (an idle loop reads ~0). The
 * server shows the last closed interval in /healthz and on the Health view.
 *
 * This is what perf_hooks.monitorEventLoopDelay measures, done with a JS timer
 * into a perf_hooks histogram because the interval has to be reset: the
 * monitor's reset() (and enable()) forget its previous tick, so a block right
 * after a reset is not recorded at all. Measured: one reset per interval lost
 * 2 of 3 150 ms blocks; a fresh monitor per interval still lost 1 of 3 400 ms
 * blocks in some runs. Here the previous tick is kept across intervals, so a
 * block is always recorded, in the interval in which it ends.
 *
 * `sinceStart` is the same over every tick since the monitor started (never reset): the
 * run-wide p99 that a soak compares with its target (bench/serve-soak.ts).
 */
import { createHistogram, type RecordableHistogram } from 'node:perf_hooks';

export interface LoopDelaySample {
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Length of the interval the sample covers. */
  readonly intervalMs: number;
}

export const EMPTY_LOOP_DELAY: LoopDelaySample = Object.freeze({ p50Ms: 0, p99Ms: 0, maxMs: 0, intervalMs: 0 });

/** The timer's period: delays are measured with about this granularity. */
const TICK_MS = 10;

export class LoopDelayMonitor {
  /** Lateness of each tick, in microseconds (histograms record integers >= 1). */
  private readonly histogram: RecordableHistogram = createHistogram();
  /** Every tick since the start (never reset). */
  private readonly run: RecordableHistogram = createHistogram();
  private readonly startedAt = performance.now();
  private readonly tick: NodeJS.Timeout;
  private readonly interval: NodeJS.Timeout;
  private lastTick = performance.now();
  private since = performance.now();
  private latest: LoopDelaySample = EMPTY_LOOP_DELAY;

  constructor(options: { readonly intervalMs: number }) {
    this.tick = setInterval(() => this.onTick(), TICK_MS);
    this.interval = setInterval(() => this.closeInterval(), options.intervalMs);
    this.tick.unref();
    this.interval.unref();
  }

  /** The last closed interval (zeros before the first). */
  get last(): LoopDelaySample {
    return this.latest;
  }

  /** Every tick since the monitor started. */
  get sinceStart(): LoopDelaySample {
    return sampleOf(this.run, performance.now() - this.startedAt);
  }

  close(): void {
    clearInterval(this.tick);
    clearInterval(this.interval);
  }

  private onTick(): void {
    const now = performance.now();
    const lateUs = Math.max(1, Math.round((now - this.lastTick - TICK_MS) * 1000));
    this.histogram.record(lateUs);
    this.run.record(lateUs);
    this.lastTick = now;
  }

  private closeInterval(): void {
    // A tick owed to the ending interval (the loop was blocked until now) is recorded first.
    this.onTick();
    const t = performance.now();
    this.latest = sampleOf(this.histogram, t - this.since);
    this.histogram.reset();
    this.since = t;
  }
}

function sampleOf(h: RecordableHistogram, intervalMs: number): LoopDelaySample {
  const ms = (us: number) => (us <= 1 ? 0 : us / 1000);
  return { p50Ms: ms(h.percentile(50)), p99Ms: ms(h.percentile(99)), maxMs: ms(h.max), intervalMs };
}
