import { type MonoTypeOperatorFunction, type SchedulerLike, asyncScheduler, throwError, timeout } from 'rxjs';
import { StallError } from './errors.js';

export interface StallWatchdogOptions {
  /** Longest silence allowed between values. */
  readonly timeoutMs: number;
  /** Longest wait for the first value (default: timeoutMs). */
  readonly firstTimeoutMs?: number;
  /** Injected clock (TestScheduler in tests). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Errors with a StallError when the source is silent for `timeoutMs` (or gives no first
 * value within `firstTimeoutMs`); the retry logic upstream restarts it.
 */
export function stallWatchdog<T>(options: StallWatchdogOptions): MonoTypeOperatorFunction<T> {
  const first = options.firstTimeoutMs ?? options.timeoutMs;
  return timeout({
    first,
    each: options.timeoutMs,
    scheduler: options.scheduler ?? asyncScheduler,
    with: (info) => throwError(() => new StallError(info.seen === 0 ? first : options.timeoutMs)),
  }) as MonoTypeOperatorFunction<T>;
}
