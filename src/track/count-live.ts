import { Observable, type OperatorFunction } from 'rxjs';
import type { LiveEvent } from '../pipeline/live-types.js';
import type { TrackConfigInput } from './config.js';
import { SlideCounter } from './slide-counter.js';
import type { CountUpdate } from './types.js';

/**
 * The live pipeline's events in, count updates out: every 'frame' event is
 * registered (and projects the known cells for overlays), every 'detections'
 * event updates the slide map with the pose of its (earlier) frame. Health and
 * metrics events pass nothing. Each subscription has its own slide map.
 */
export function countLive(config: TrackConfigInput = {}): OperatorFunction<LiveEvent, CountUpdate> {
  return (source) =>
    new Observable<CountUpdate>((subscriber) => {
      const counter = new SlideCounter(config);
      return source.subscribe({
        next: (e) => {
          if (e.type !== 'frame' && e.type !== 'detections') return;
          let update: CountUpdate;
          try {
            update = counter.update({ frame: e.frame, detections: e.type === 'detections' ? e.detections : null });
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
