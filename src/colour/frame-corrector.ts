/**
 * The colour correction of one live stream, frame by frame: the device calibration's colour
 * transform when there is one (src/pipeline/calibration/apply-colour.ts), else the white balance
 * to the model card's reference (ColourNormaliser, which calibrates on the stream's own frames).
 * Shared by normaliseColour (on the calling thread) and its worker (colour-worker.ts), so both
 * give the same pixels.
 */
import type { Frame } from '../core/frame.js';
import { applyColourTransform } from '../calibration/apply-colour.js';
import type { ColourTransform } from '../calibration/types.js';
import type { ColourNormaliseConfig } from './config.js';
import type { ColourReference } from './calibration.js';
import { ColourNormaliser } from './normaliser.js';

/** Corrects one frame with `transform` (asked per frame), or with the stream's white balance when null. */
export type FrameCorrector = (frame: Frame, transform: ColourTransform | null) => Frame;

export function frameCorrector(reference: ColourReference, config: Partial<ColourNormaliseConfig> = {}): FrameCorrector {
  const normaliser = new ColourNormaliser(reference, config);
  const stable = stableTransform();
  return (frame, transform) => {
    const t = stable(transform);
    return t === null ? normaliser.process(frame) : { ...frame, rgb: applyColourTransform(frame.rgb, t) };
  };
}

/**
 * The first transform object seen with the same values as `t`. applyColourTransform builds its
 * LUT (~30-45 ms) once per transform object; a live calibration in a worker hands over a new object
 * with every state it reports (nearly every frame) while its values change every few seconds, so
 * without this the LUT was rebuilt for nearly every frame. Same values, same LUT.
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
