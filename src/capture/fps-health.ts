import { type MonoTypeOperatorFunction, Observable, type SchedulerLike, asyncScheduler } from 'rxjs';
import { type CaptureEvent, healthEvent } from './health.js';

export interface FpsHealthOptions {
  readonly source: string;
  readonly intervalMs: number;
  readonly scheduler?: SchedulerLike;
}

/** Passes every event through and adds an `fps` health event every `intervalMs` (frames counted in that window). */
export function fpsHealth(options: FpsHealthOptions): MonoTypeOperatorFunction<CaptureEvent> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<CaptureEvent>((subscriber) => {
      let frames = 0;
      let windowStart = scheduler.now();
      const tick = scheduler.schedule(function () {
        const now = scheduler.now();
        const elapsed = now - windowStart;
        subscriber.next(healthEvent({ type: 'fps', source: options.source, fps: elapsed > 0 ? (frames * 1000) / elapsed : 0, atMs: now }));
        frames = 0;
        windowStart = now;
        this.schedule(undefined, options.intervalMs);
      }, options.intervalMs);
      const sub = source.subscribe({
        next: (e) => {
          if (e.kind === 'frame') frames++;
          subscriber.next(e);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
      return () => {
        tick.unsubscribe();
        sub.unsubscribe();
      };
    });
}
