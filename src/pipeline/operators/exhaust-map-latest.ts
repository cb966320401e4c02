import { Observable, type ObservableInput, type OperatorFunction, from } from 'rxjs';

export interface ExhaustMapLatestOptions {
  /**
   * true (default): the latest value that arrived while busy is held and
   * projected when the inner completes (the dashboard's JPEG encoder: the
   * newest frame is always shown). false: values that arrive while busy are
   * dropped at once, as `exhaustMap` does (the detector: a frame is analysed
   * when it arrives or never).
   */
  readonly holdLatest?: boolean;
}

/**
 * The one latest-wins operator of the pipeline ("drop while busy"). Like
 * `exhaustMap`: while an inner observable runs, new values are not projected;
 * with `holdLatest` the most recent one is kept and projected when the inner
 * completes. Every value that will never be projected is reported to `onDrop`
 * (so it can be counted): held values when replaced, or, without
 * `holdLatest`, each value that arrives while busy, at once. At most one value
 * is held: memory stays bounded however fast the source is.
 *
 * Completes when the source has completed and the active inner (and the held
 * value's inner) have completed. Errors from either propagate. Unsubscribing
 * tears down the active inner.
 */
export function exhaustMapLatest<T, R>(
  project: (value: T) => ObservableInput<R>,
  onDrop: (dropped: T) => void = () => {},
  options: ExhaustMapLatestOptions = {},
): OperatorFunction<T, R> {
  const holdLatest = options.holdLatest ?? true;
  return (source) =>
    new Observable<R>((subscriber) => {
      let active = false;
      let held: { value: T } | null = null;
      let sourceDone = false;

      const run = (value: T): void => {
        active = true;
        let projected: ObservableInput<R>;
        try {
          projected = project(value);
        } catch (err) {
          subscriber.error(err);
          return;
        }
        // Added to the subscriber so that unsubscribing tears the inner down too.
        subscriber.add(from(projected).subscribe({
          next: (r) => subscriber.next(r),
          error: (err: unknown) => subscriber.error(err),
          complete: () => {
            active = false;
            if (held !== null) {
              const next = held.value;
              held = null;
              run(next);
            } else if (sourceDone) {
              subscriber.complete();
            }
          },
        }));
      };

      const sourceSub = source.subscribe({
        next: (value) => {
          if (!active) {
            run(value);
            return;
          }
          if (!holdLatest) {
            onDrop(value);
            return;
          }
          if (held !== null) onDrop(held.value);
          held = { value };
        },
        error: (err: unknown) => subscriber.error(err),
        complete: () => {
          sourceDone = true;
          if (!active && held === null) subscriber.complete();
        },
      });
      return () => {
        sourceSub.unsubscribe();
        held = null;
      };
    });
}
