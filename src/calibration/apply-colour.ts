/**
 * Applies a `ColourTransform` to packed RGB24 through a 3D LUT (src/colour/lut.ts):
 * the transform is sampled once per transform object (cached), then one table read per pixel.
 */
import { type FastColourLut, applyFastColourLut, buildColourLutFrom, buildFastColourLut } from '../colour/lut.js';
import { transformColour } from './colour-fit.js';
import type { ColourTransform } from './types.js';

const cache = new WeakMap<ColourTransform, FastColourLut>();

export function colourTransformLut(tr: ColourTransform): FastColourLut {
  let lut = cache.get(tr);
  if (!lut) {
    lut = buildFastColourLut(buildColourLutFrom((r, g, b, out) => transformColour(tr, r, g, b, out)));
    cache.set(tr, lut);
  }
  return lut;
}

/** Returns the corrected pixels in `out` (a new array unless given; may be `rgb` itself). */
export function applyColourTransform(rgb: Uint8Array, tr: ColourTransform, out: Uint8Array = new Uint8Array(rgb.length)): Uint8Array {
  applyFastColourLut(colourTransformLut(tr), rgb, out);
  return out;
}

export const IDENTITY_COLOUR_TRANSFORM: ColourTransform = { wbGains: [1, 1, 1], stain: null };
