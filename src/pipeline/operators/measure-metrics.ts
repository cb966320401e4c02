import { type MonoTypeOperatorFunction, Observable, type SchedulerLike, asyncScheduler } from 'rxjs';
import { DEFAULT_METRICS_CONFIG, type MetricsConfig } from '../config.js';
import type { LiveEvent } from '../live-types.js';
import { PipelineMetrics } from '../metrics.js';

export interface MeasureMetricsOptions extends Partial<MetricsConfig> {
  readonly scheduler?: SchedulerLike;
}

/**
 * Passes live events through and adds a `metrics` event every `intervalMs`
 * (fps in and fps detected over the last `rateIntervals` intervals, skipped,
 * latency p50/p95 over a bounded window).
 * A final snapshot is emitted when the source completes.
 */
export function measureMetrics(options: MeasureMetricsOptions = {}): MonoTypeOperatorFunction<LiveEvent> {
  const scheduler = options.scheduler ?? asyncScheduler;
  const config: MetricsConfig = {
    latencyWindow: options.latencyWindow ?? DEFAULT_METRICS_CONFIG.latencyWindow,
    intervalMs: options.intervalMs ?? DEFAULT_METRICS_CONFIG.intervalMs,
    rateIntervals: options.rateIntervals ?? DEFAULT_METRICS_CONFIG.rateIntervals,
  };
  return (source) =>
    new Observable<LiveEvent>((subscriber) => {
      const metrics = new PipelineMetrics(config, scheduler.now());
      const tick = scheduler.schedule(function () {
        subscriber.next({ type: 'metrics', metrics: metrics.snapshot(scheduler.now()) });
        this.schedule(undefined, config.intervalMs);
      }, config.intervalMs);
      const sub = source.subscribe({
        next: (e) => {
          if (e.type === 'frame') metrics.frameIn(!e.sentToDetector);
          else if (e.type === 'detections') metrics.detected(e.timing.latencyMs, e.timing.detectMs);
          subscriber.next(e);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          tick.unsubscribe();
          subscriber.next({ type: 'metrics', metrics: metrics.snapshot(scheduler.now()) });
          subscriber.complete();
        },
      });
      return () => {
        tick.unsubscribe();
        sub.unsubscribe();
      };
    });
}
