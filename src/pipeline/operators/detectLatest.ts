import { type ObservableInput, Observable, type OperatorFunction, type SchedulerLike, type Subscription, asyncScheduler, from } from 'rxjs';

/** What detectLatest emits: every input item, and one result per item that reached the detector. */
export type DetectLatestEvent<T, D> =
  | {
      readonly kind: 'item';
      readonly item: T;
      /** False when the detector was busy and this item was skipped. */
      readonly sentToDetector: boolean;
      /** Items skipped so far in this subscription. */
      readonly skippedTotal: number;
    }
  | {
      readonly kind: 'result';
      readonly item: T;
      readonly result: D;
      /** Scheduler time when the item was handed to the detector, and when its result came back. */
      readonly startedMs: number;
      readonly finishedMs: number;
    };

export interface DetectLatestOptions {
  /** Clock for startedMs/finishedMs (TestScheduler in tests). */
  readonly scheduler?: SchedulerLike;
}

/**
 * Latest frame wins at the detector (exhaustMap-like): an item arriving while a detection
 * is in flight is not queued; it is passed on as skipped and counted. Every item is still
 * emitted (`kind: 'item'`) so that registration and display see every frame. Only the first
 * value of each `detect()` is used. Completes when the source has completed and the last
 * detection has finished; unsubscribing cancels the detection in flight.
 */
export function detectLatest<T, D>(detect: (item: T) => ObservableInput<D>, options: DetectLatestOptions = {}): OperatorFunction<T, DetectLatestEvent<T, D>> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<DetectLatestEvent<T, D>>((subscriber) => {
      let inner: Subscription | null = null;
      let skipped = 0;
      let sourceDone = false;

      const startDetection = (item: T): void => {
        const startedMs = scheduler.now();
        let got = false;
        let input: ObservableInput<D>;
        try {
          input = detect(item);
        } catch (err) {
          subscriber.error(err);
          return;
        }
        const sub = from(input).subscribe({
          next: (result) => {
            if (got) return;
            got = true;
            subscriber.next({ kind: 'result', item, result, startedMs, finishedMs: scheduler.now() });
          },
          error: (err) => subscriber.error(err),
          complete: () => {
            inner = null;
            if (sourceDone) subscriber.complete();
          },
        });
        // A synchronous detect() has already completed and cleared `inner`.
        if (!sub.closed) inner = sub;
      };

      const sourceSub = source.subscribe({
        next: (item) => {
          if (inner) {
            skipped++;
            subscriber.next({ kind: 'item', item, sentToDetector: false, skippedTotal: skipped });
            return;
          }
          subscriber.next({ kind: 'item', item, sentToDetector: true, skippedTotal: skipped });
          startDetection(item);
        },
        error: (err) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (!inner) subscriber.complete();
        },
      });

      return () => {
        sourceSub.unsubscribe();
        inner?.unsubscribe();
        inner = null;
      };
    });
}
