import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { Frame } from '../../core/frame.js';
import { applyColourTransform } from '../calibration/apply-colour.js';
import type { ColourTransform } from '../calibration/types.js';
import type { ColourReference } from '../colour/calibration.js';
import { ColourNormaliser } from '../colour/normaliser.js';
import type { ColourNormaliseConfig } from '../config.js';

export interface NormaliseColourOptions {
  /**
   * The device calibration's colour transform (a profile's, or a live calibration's once it has
   * one), asked per frame: when it gives one, it is applied instead of the white balance to the
   * card (src/pipeline/calibration/apply-colour.ts); null: the white balance, as before.
   */
  readonly transform?: () => ColourTransform | null;
}

/**
 * Calibrates each subscription's source to `reference` (the model card's colourReference)
 * and emits colour-corrected frames. State is per subscription: a resubscribe recalibrates.
 */
export function normaliseColour(reference: ColourReference, config: Partial<ColourNormaliseConfig> = {}, options: NormaliseColourOptions = {}): MonoTypeOperatorFunction<Frame> {
  return (source) =>
    new Observable<Frame>((subscriber) => {
      const normaliser = new ColourNormaliser(reference, config);
      const stable = stableTransform();
      return source.subscribe({
        next: (frame) => {
          let out: Frame;
          try {
            const t = stable(options.transform?.() ?? null);
            out = t === null ? normaliser.process(frame) : { ...frame, rgb: applyColourTransform(frame.rgb, t) };
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

/**
 * The first transform object seen with the same values as `t`. applyColourTransform builds its
 * LUT (~30-45 ms) once per transform object; a live calibration in a worker hands over a new object
 * with every state it reports (nearly every frame) while its values change every few seconds, so
 * without this the LUT was rebuilt on the event loop for nearly every frame. Same values, same LUT.
 */
export function stableTransform(): (t: ColourTransform | null) => ColourTransform | null {
  let last: ColourTransform | null = null;
  let lastKey = '';
  return (t) => {
    if (t === null || t === last) return t;
    const key = JSON.stringify(t);
    if (last !== null && key === lastKey) return last;
    last = t;
    lastKey = key;
    return t;
  };
}
