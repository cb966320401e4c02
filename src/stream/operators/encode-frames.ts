import { asyncScheduler, catchError, defer, EMPTY, filter, type ObservableInput, type OperatorFunction, type SchedulerLike, throttleTime } from 'rxjs';
import type { Frame } from '../../core/frame.js';
import { exhaustMapLatest } from '../../pipeline/operators/exhaust-map-latest.js';

export interface EncodeFramesOptions<E> {
  /** Frames per second encoded at most (0: no limit); throttled leading and trailing, so the last frame is shown. */
  readonly maxFps: number;
  /** The encoder (sharp's JPEG, on libuv's thread pool). */
  readonly encode: (frame: Frame) => ObservableInput<E>;
  /** False while nobody watches: frames are then not encoded at all. */
  readonly wanted?: () => boolean;
  /** A frame replaced while an encode ran (latest wins). */
  readonly onSkip?: (frame: Frame) => void;
  /** An encode failed: reported, the frame is left out, the stream goes on. */
  readonly onError?: (frame: Frame, err: unknown) => void;
  readonly scheduler?: SchedulerLike;
}

/**
 * The dashboard's frame stream: frames → encoded frames for viewers, at most
 * `maxFps`, one encode at a time with the newest frame held (exhaustMapLatest),
 * nothing encoded while `wanted()` is false; a failed encode skips its frame.
 * Unsubscribing tears down the encode in flight.
 */
export function encodeFrames<E>(options: EncodeFramesOptions<E>): OperatorFunction<Frame, E> {
  const minIntervalMs = options.maxFps > 0 ? 1000 / options.maxFps : 0;
  const wanted = options.wanted ?? (() => true);
  return (source) =>
    source.pipe(
      filter(() => wanted()),
      throttleTime(minIntervalMs, options.scheduler ?? asyncScheduler, { leading: true, trailing: true }),
      exhaustMapLatest(
        (frame: Frame) =>
          defer(() => options.encode(frame)).pipe(
            catchError((err: unknown) => {
              options.onError?.(frame, err);
              return EMPTY;
            }),
          ),
        (frame) => options.onSkip?.(frame),
      ),
    );
}
