import { Observable, type SchedulerLike, type Subscription, asyncScheduler } from 'rxjs';
import type { Frame } from '../core/frame.js';
import { type BackoffOptions, backoffDelayMs } from './backoff.js';
import { CaptureError, StallError } from './errors.js';
import { type CaptureEvent, frameEvent, healthEvent } from './health.js';
import { stallWatchdog } from './stall-watchdog.js';

export interface ReconnectOptions {
  /** The source URI, for health events and errors. */
  readonly source: string;
  /** Live sources are watched for stalls and restarted; others end or fail once. */
  readonly live: boolean;
  readonly stallTimeoutMs: number;
  /** Longest wait for an attempt's first frame (default: stallTimeoutMs). */
  readonly firstFrameTimeoutMs?: number;
  readonly backoff: BackoffOptions;
  /** Consecutive failures tolerated before the error is passed on. */
  readonly maxAttempts: number;
  readonly scheduler?: SchedulerLike;
}

function reasonOf(err: unknown): string {
  if (err instanceof CaptureError) return err.reason;
  if (err instanceof Error) return err.message;
  return String(err);
}

/**
 * Runs `attempt()` (one ffmpeg run) and, for live sources, restarts it with exponential
 * backoff whenever it fails, ends or stalls. Emits every frame plus health events:
 * connected (first frame of an attempt), stalled, reconnecting. The failure count resets
 * once an attempt delivers a frame. Unsubscribing ends the current attempt and any pending retry.
 */
export function withReconnect(attempt: () => Observable<Frame>, options: ReconnectOptions): Observable<CaptureEvent> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return new Observable<CaptureEvent>((subscriber) => {
    let failures = 0;
    let current: Subscription | undefined;
    let pending: Subscription | undefined;
    let closed = false;

    const fail = (err: unknown): void => {
      if (closed) return;
      const permanent = err instanceof CaptureError && err.permanent;
      if (!options.live || permanent || failures >= options.maxAttempts) {
        subscriber.error(err);
        return;
      }
      if (err instanceof StallError) {
        subscriber.next(healthEvent({ type: 'stalled', source: options.source, silentMs: err.silentMs, atMs: scheduler.now() }));
      }
      failures++;
      const delayMs = backoffDelayMs(failures, options.backoff);
      subscriber.next(
        healthEvent({ type: 'reconnecting', source: options.source, attempt: failures, delayMs, reason: reasonOf(err), atMs: scheduler.now() }),
      );
      pending = scheduler.schedule(start, delayMs);
    };

    function start(): void {
      if (closed) return;
      current?.unsubscribe();
      let connected = false;
      const frames = options.live ? attempt().pipe(stallWatchdog<Frame>({ timeoutMs: options.stallTimeoutMs, firstTimeoutMs: options.firstFrameTimeoutMs, scheduler })) : attempt();
      current = frames.subscribe({
        next: (frame) => {
          if (!connected) {
            connected = true;
            subscriber.next(healthEvent({ type: 'connected', source: options.source, attempt: failures, atMs: scheduler.now() }));
            failures = 0;
          }
          subscriber.next(frameEvent(frame));
        },
        error: fail,
        complete: () => {
          if (options.live) fail(new CaptureError(options.source, 'stream ended'));
          else subscriber.complete();
        },
      });
    }

    start();
    return () => {
      closed = true;
      pending?.unsubscribe();
      current?.unsubscribe();
    };
  });
}
