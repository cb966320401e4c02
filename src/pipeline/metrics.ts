import type { MetricsConfig } from './config.js';

/** A bounded ring of recent samples with percentiles. Memory: `capacity` doubles. */
export class SampleWindow {
  private readonly samples: Float64Array;
  private next = 0;
  private size = 0;

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new Error(`SampleWindow capacity must be a positive integer, got ${capacity}`);
    this.samples = new Float64Array(capacity);
  }

  get count(): number {
    return this.size;
  }

  add(value: number): void {
    this.samples[this.next] = value;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Nearest-rank percentile (p in [0, 100]); NaN when empty. */
  percentile(p: number): number {
    if (this.size === 0) return Number.NaN;
    const sorted = Array.from(this.samples.subarray(0, this.size)).sort((a, b) => a - b);
    const rank = Math.min(this.size - 1, Math.max(0, Math.ceil((p / 100) * this.size) - 1));
    return sorted[rank];
  }
}

/**
 * One snapshot of live pipeline metrics. Rates are over the last `rateIntervals`
 * snapshot intervals (fewer at the start); totals since start.
 */
export interface MetricsSnapshot {
  readonly atMs: number;
  readonly intervalMs: number;
  readonly fpsIn: number;
  readonly fpsDetected: number;
  readonly framesIn: number;
  readonly framesDetected: number;
  readonly framesSkipped: number;
  /** Frame arrival -> detections published, over the last `latencyWindow` detections (ms). */
  readonly latencyP50Ms: number;
  readonly latencyP95Ms: number;
  /** Time inside detect() (worker round trip), same window (ms). */
  readonly detectP50Ms: number;
  readonly detectP95Ms: number;
  /** Latency minus detect time: what the pipeline adds around inference (p95, ms). */
  readonly overheadP95Ms: number;
}

/** Accumulates pipeline counters; pure apart from the times handed in. */
export class PipelineMetrics {
  private framesIn = 0;
  private framesDetected = 0;
  private framesSkipped = 0;
  private windowIn = 0;
  private windowDetected = 0;
  private windowStartMs: number;
  /** The last `rateIntervals` closed windows, oldest first (bounded). */
  private readonly recent: { ms: number; in: number; detected: number }[] = [];
  private readonly rateIntervals: number;
  private readonly latency: SampleWindow;
  private readonly detect: SampleWindow;
  private readonly overhead: SampleWindow;

  constructor(config: Pick<MetricsConfig, 'latencyWindow' | 'rateIntervals'>, startMs: number) {
    const { rateIntervals } = config;
    if (!Number.isInteger(rateIntervals) || rateIntervals < 1) throw new Error(`rateIntervals must be a positive integer, got ${rateIntervals}`);
    this.rateIntervals = rateIntervals;
    this.latency = new SampleWindow(config.latencyWindow);
    this.detect = new SampleWindow(config.latencyWindow);
    this.overhead = new SampleWindow(config.latencyWindow);
    this.windowStartMs = startMs;
  }

  frameIn(skipped: boolean): void {
    this.framesIn++;
    this.windowIn++;
    if (skipped) this.framesSkipped++;
  }

  detected(latencyMs: number, detectMs: number): void {
    this.framesDetected++;
    this.windowDetected++;
    this.latency.add(latencyMs);
    this.detect.add(detectMs);
    this.overhead.add(latencyMs - detectMs);
  }

  /** Returns a snapshot and starts a new interval. */
  snapshot(nowMs: number): MetricsSnapshot {
    const intervalMs = nowMs - this.windowStartMs;
    this.recent.push({ ms: intervalMs, in: this.windowIn, detected: this.windowDetected });
    if (this.recent.length > this.rateIntervals) this.recent.shift();
    const spanMs = this.recent.reduce((t, w) => t + w.ms, 0);
    const perSec = (n: number): number => (spanMs > 0 ? (n * 1000) / spanMs : 0);
    const s: MetricsSnapshot = {
      atMs: nowMs,
      intervalMs,
      fpsIn: perSec(this.recent.reduce((t, w) => t + w.in, 0)),
      fpsDetected: perSec(this.recent.reduce((t, w) => t + w.detected, 0)),
      framesIn: this.framesIn,
      framesDetected: this.framesDetected,
      framesSkipped: this.framesSkipped,
      latencyP50Ms: this.latency.percentile(50),
      latencyP95Ms: this.latency.percentile(95),
      detectP50Ms: this.detect.percentile(50),
      detectP95Ms: this.detect.percentile(95),
      overheadP95Ms: this.overhead.percentile(95),
    };
    this.windowIn = 0;
    this.windowDetected = 0;
    this.windowStartMs = nowMs;
    return s;
  }
}
