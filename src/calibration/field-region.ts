/**
 * Questions about a `FieldMask`: is a point or box inside it, which pixels does it cover.
 * Used by the colour statistics, the scale estimator and the detection filter.
 */
import type { FieldMask } from './types.js';

export const FULL_FIELD: FieldMask = { kind: 'full' };

/** Whether the pixel centre (x + 0.5, y + 0.5) of frame pixel (x, y) lies inside the field. */
export function pixelInField(mask: FieldMask, x: number, y: number): boolean {
  return pointInField(mask, x + 0.5, y + 0.5);
}

/** Whether a point (frame px, continuous coordinates) lies inside the field. */
export function pointInField(mask: FieldMask, x: number, y: number): boolean {
  switch (mask.kind) {
    case 'full':
      return true;
    case 'circle': {
      const dx = x - mask.cx;
      const dy = y - mask.cy;
      return dx * dx + dy * dy <= mask.r * mask.r;
    }
    case 'rect':
      return x >= mask.x0 && x < mask.x1 && y >= mask.y0 && y < mask.y1;
  }
}

/** Axis-aligned box in frame px (x1, y1 exclusive). */
export interface FieldBox {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/**
 * Whether a box is inside the field: 'centre' tests its centre (a cell half outside is still
 * counted once), 'all' tests its four corners (the whole box shows slide).
 */
export function boxInField(mask: FieldMask, box: FieldBox, rule: 'centre' | 'all' = 'centre'): boolean {
  if (rule === 'centre') return pointInField(mask, (box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2);
  return (
    pointInField(mask, box.x1, box.y1) &&
    pointInField(mask, box.x2, box.y1) &&
    pointInField(mask, box.x1, box.y2) &&
    pointInField(mask, box.x2, box.y2)
  );
}

/** The field as a width*height byte raster (1 inside). */
export function rasteriseField(mask: FieldMask, width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  if (mask.kind === 'full') return out.fill(1);
  for (let y = 0; y < height; y++) {
    const [a, b] = rowSpan(mask, y, width);
    out.fill(1, y * width + a, y * width + b);
  }
  return out;
}

/** Columns [a, b) of row y inside the field. */
export function rowSpan(mask: FieldMask, y: number, width: number): [number, number] {
  const cy = y + 0.5;
  if (mask.kind === 'full') return [0, width];
  if (mask.kind === 'rect') {
    if (cy < mask.y0 || cy >= mask.y1) return [0, 0];
    return [clampInt(Math.ceil(mask.x0 - 0.5), 0, width), clampInt(Math.ceil(mask.x1 - 0.5), 0, width)];
  }
  const dy = cy - mask.cy;
  const rem = mask.r * mask.r - dy * dy;
  if (rem < 0) return [0, 0];
  const h = Math.sqrt(rem);
  const a = clampInt(Math.ceil(mask.cx - h - 0.5), 0, width);
  const b = clampInt(Math.floor(mask.cx + h - 0.5) + 1, 0, width);
  return a < b ? [a, b] : [0, 0];
}

/** Calls fn(x, y, pixelIndex) for every `stride`-th pixel (in x and y) inside the field. */
export function forEachFieldPixel(
  mask: FieldMask,
  width: number,
  height: number,
  stride: number,
  fn: (x: number, y: number, index: number) => void,
): void {
  const s = Math.max(1, Math.floor(stride));
  for (let y = 0; y < height; y += s) {
    const [a, b] = rowSpan(mask, y, width);
    const start = a + ((s - (a % s)) % s); // keep the x grid aligned to multiples of s
    for (let x = start; x < b; x += s) fn(x, y, y * width + x);
  }
}

/** Share of the frame inside the field (0..1). */
export function fieldFraction(mask: FieldMask, width: number, height: number): number {
  let n = 0;
  for (let y = 0; y < height; y++) {
    const [a, b] = rowSpan(mask, y, width);
    n += b - a;
  }
  return n / (width * height);
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}
