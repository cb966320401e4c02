import { type ObservableInput, Observable, type OperatorFunction, type SchedulerLike, asyncScheduler, filter, from, map } from 'rxjs';
import { exhaustMapLatest } from './exhaust-map-latest.js';

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
 * Latest frame wins at the detector (exhaustMapLatest without holding): an item arriving
 * while a detection is in flight is not queued; it is passed on as skipped and counted.
 * Every item is still emitted (`kind: 'item'`) so that registration and display see every
 * frame. Only the first value of each `detect()` is used. Completes when the source has
 * completed and the last detection has finished; unsubscribing cancels the detection in flight.
 */
export function detectLatest<T, D>(detect: (item: T) => ObservableInput<D>, options: DetectLatestOptions = {}): OperatorFunction<T, DetectLatestEvent<T, D>> {
  const scheduler = options.scheduler ?? asyncScheduler;
  return (source) =>
    new Observable<DetectLatestEvent<T, D>>((subscriber) => {
      let skipped = 0;
      const detectItem = (item: T): Observable<DetectLatestEvent<T, D>> => {
        subscriber.next({ kind: 'item', item, sentToDetector: true, skippedTotal: skipped });
        const startedMs = scheduler.now();
        let got = false;
        return from(detect(item)).pipe(
          filter(() => !got && (got = true)),
          map((result) => ({ kind: 'result', item, result, startedMs, finishedMs: scheduler.now() }) as const),
        );
      };
      const skip = (item: T): void => {
        skipped++;
        subscriber.next({ kind: 'item', item, sentToDetector: false, skippedTotal: skipped });
      };
      return source.pipe(exhaustMapLatest(detectItem, skip, { holdLatest: false })).subscribe(subscriber);
    });
}
