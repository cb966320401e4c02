import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { Frame } from '../../core/frame.js';
import type { ColourReference } from '../colour/calibration.js';
import { ColourNormaliser } from '../colour/normaliser.js';
import type { ColourNormaliseConfig } from '../config.js';

/**
 * Calibrates each subscription's source to `reference` (the model card's colourReference)
 * and emits colour-corrected frames. State is per subscription: a resubscribe recalibrates.
 */
export function normaliseColour(reference: ColourReference, config: Partial<ColourNormaliseConfig> = {}): MonoTypeOperatorFunction<Frame> {
  return (source) =>
    new Observable<Frame>((subscriber) => {
      const normaliser = new ColourNormaliser(reference, config);
      return source.subscribe({
        next: (frame) => {
          let out: Frame;
          try {
            out = normaliser.process(frame);
          } catch (err) {
            subscriber.error(err);
            return;
          }
          subscriber.next(out);
        },
        error: (err) => subscriber.error(err),
        complete: () => subscriber.complete(),
      });
    });
}
