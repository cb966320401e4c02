import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { Frame } from '../../core/frame.js';
import type { ColourTransform } from '../../calibration/types.js';
import type { ColourReference } from '../../colour/calibration.js';
import { frameCorrector } from '../../colour/frame-corrector.js';
import type { ColourNormaliseConfig } from '../config.js';

export interface NormaliseColourOptions {
  /**
   * The device calibration's colour transform (a profile's, or a live calibration's once it has
   * one), asked per frame: when it gives one, it is applied instead of the white balance to the
   * card (src/calibration/apply-colour.ts); null: the white balance, as before.
   */
  readonly transform?: () => ColourTransform | null;
}

/**
 * Calibrates each subscription's source to `reference` (the model card's colourReference)
 * and emits colour-corrected frames. State is per subscription: a resubscribe recalibrates.
 * (normaliseColourOffThread does the same in a worker thread.)
 */
export function normaliseColour(reference: ColourReference, config: Partial<ColourNormaliseConfig> = {}, options: NormaliseColourOptions = {}): MonoTypeOperatorFunction<Frame> {
  return (source) =>
    new Observable<Frame>((subscriber) => {
      const correct = frameCorrector(reference, config);
      return source.subscribe({
        next: (frame) => {
          let out: Frame;
          try {
            out = correct(frame, options.transform?.() ?? null);
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
