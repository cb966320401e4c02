import { Observable, type OperatorFunction } from 'rxjs';
import type { TrackConfigInput } from './config.js';
import { SlideCounter, type FrameWithDetections } from './slide-counter.js';
import type { CountUpdate } from './types.js';

/**
 * Frames with their detections (null = detector skipped the frame) in, one
 * CountUpdate per input out. Each subscription has its own slide map.
 */
export function countCells(config: TrackConfigInput = {}): OperatorFunction<FrameWithDetections, CountUpdate> {
  return (source) =>
    new Observable<CountUpdate>((subscriber) => {
      const counter = new SlideCounter(config);
      return source.subscribe({
        next: (input) => {
          let update: CountUpdate;
          try {
            update = counter.update(input);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(update);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
