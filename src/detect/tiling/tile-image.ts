/**
 * Cuts one tile's canvas out of a frame (pure pixel copy): the tile's region at its offset, the
 * rest (padding, and frame pixels outside the field of view) painted with the background colour,
 * so the detector sees plasma rather than a black eyepiece surround or a stretched frame.
 */
import type { FieldMask } from '../../calibration/types.js';
import type { RgbImage } from '../preprocess.js';
import { pixelInField } from '../../calibration/field-region.js';
import type { Tile } from './plan.js';

export type Rgb = readonly [number, number, number];

export function renderTile(frame: RgbImage, tile: Tile, background: Rgb, mask: FieldMask = { kind: 'full' }): RgbImage {
  const { width: cw, height: ch } = tile.canvas;
  const { region: r, offset } = tile;
  const rw = r.x1 - r.x0;
  const rh = r.y1 - r.y0;
  const rgb = new Uint8Array(cw * ch * 3);
  const bg: Rgb = [byte(background[0]), byte(background[1]), byte(background[2])];
  if (cw !== rw || ch !== rh) {
    for (let p = 0; p < cw * ch * 3; p += 3) {
      rgb[p] = bg[0];
      rgb[p + 1] = bg[1];
      rgb[p + 2] = bg[2];
    }
  }
  for (let y = 0; y < rh; y++) {
    const src = ((r.y0 + y) * frame.width + r.x0) * 3;
    rgb.set(frame.rgb.subarray(src, src + rw * 3), ((offset.y + y) * cw + offset.x) * 3);
  }
  if (mask.kind !== 'full') paintOutside(rgb, cw, tile, bg, mask);
  return { width: cw, height: ch, rgb };
}

function byte(v: number): number {
  return Math.max(0, Math.min(255, Math.round(v)));
}

/** Background over canvas pixels whose frame position lies outside the mask. */
function paintOutside(rgb: Uint8Array, cw: number, tile: Tile, background: Rgb, mask: FieldMask): void {
  const { region: r, offset } = tile;
  for (let y = r.y0; y < r.y1; y++) {
    for (let x = r.x0; x < r.x1; x++) {
      if (pixelInField(mask, x, y)) continue;
      const p = ((offset.y + y - r.y0) * cw + offset.x + x - r.x0) * 3;
      rgb[p] = background[0];
      rgb[p + 1] = background[1];
      rgb[p + 2] = background[2];
    }
  }
}
