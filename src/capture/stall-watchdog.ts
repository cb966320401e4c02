import { type MonoTypeOperatorFunction, type SchedulerLike, asyncScheduler, throwError, timeout } from 'rxjs';
import { StallError } from './errors.js';

export interface StallWatchdogOptions {
  /** Longest silence allowed, before the first value and between values. */
  readonly timeoutMs: number;
  /** Injected clock (TestScheduler in tests). */
  readonly scheduler?: SchedulerLike;
}

/** Errors with a StallError when the source is silent for `timeoutMs`; the retry logic upstream restarts it. */
export function stallWatchdog<T>(options: StallWatchdogOptions): MonoTypeOperatorFunction<T> {
  return timeout({
    each: options.timeoutMs,
    scheduler: options.scheduler ?? asyncScheduler,
    with: () => throwError(() => new StallError(options.timeoutMs)),
  }) as MonoTypeOperatorFunction<T>;
}
