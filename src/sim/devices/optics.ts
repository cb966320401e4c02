import { area } from '../../track/box.js';
import type { Box } from '../../track/types.js';
import type { Rng } from '../rng.js';
import type { DeviceCell } from './types.js';

/** Per-channel illuminant gains (rgb / 255), in place on RGB floats. */
export function applyIlluminant(rgb: Float32Array, illuminant: readonly [number, number, number]): void {
  const g = illuminant.map((v) => v / 255);
  for (let i = 0; i < rgb.length; i += 3) {
    rgb[i] *= g[0];
    rgb[i + 1] *= g[1];
    rgb[i + 2] *= g[2];
  }
}

/** RGB floats -> 8-bit, rounded and clamped. */
export function toBytes(rgb: Float32Array): Uint8Array {
  const out = new Uint8Array(rgb.length);
  for (let i = 0; i < rgb.length; i++) {
    const v = rgb[i];
    out[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return out;
}

/** Adds Gaussian sensor noise (sigma in 8-bit levels), in place. */
export function addNoise(rgb: Uint8Array, sigma: number, rng: Rng): void {
  for (let i = 0; i < rgb.length; i++) {
    const v = rgb[i] + sigma * rng.normal();
    rgb[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
}

/** An eyepiece's circular field of view, frame pixels. */
export interface EyepieceCircle {
  readonly cx: number;
  readonly cy: number;
  readonly r: number;
}

export function eyepieceCircle(width: number, height: number, radiusFraction: number): EyepieceCircle {
  return { cx: width / 2, cy: height / 2, r: (radiusFraction * Math.min(width, height)) / 2 };
}

/** Blackens every pixel whose centre lies outside the circle, in place. */
export function maskOutsideCircle(rgb: Uint8Array, width: number, height: number, c: EyepieceCircle): void {
  const r2 = c.r * c.r;
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - c.cy;
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - c.cx;
      if (dx * dx + dy * dy > r2) rgb.fill(0, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
}

/** Grid points per axis used to measure the part of a box inside the circle. */
const CLIP_GRID = 32;

/**
 * The part of a box inside the circle: its bounding box and the fraction of the box's area it
 * covers, measured on a CLIP_GRID² grid of points in the box. Null where no point is inside.
 */
export function clipBoxToCircle(b: Box, c: EyepieceCircle): { box: Box; fraction: number } | null {
  let inside = 0;
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  const sx = (b.x2 - b.x1) / CLIP_GRID;
  const sy = (b.y2 - b.y1) / CLIP_GRID;
  for (let j = 0; j < CLIP_GRID; j++) {
    const y = b.y1 + (j + 0.5) * sy;
    for (let i = 0; i < CLIP_GRID; i++) {
      const x = b.x1 + (i + 0.5) * sx;
      if ((x - c.cx) ** 2 + (y - c.cy) ** 2 > c.r * c.r) continue;
      inside++;
      x1 = Math.min(x1, x - sx / 2);
      y1 = Math.min(y1, y - sy / 2);
      x2 = Math.max(x2, x + sx / 2);
      y2 = Math.max(y2, y + sy / 2);
    }
  }
  if (inside === 0) return null;
  return { box: { x1, y1, x2, y2 }, fraction: inside / (CLIP_GRID * CLIP_GRID) };
}

/**
 * Cells seen through the eyepiece: a cell with less than `minVisibleFraction` of its box inside the
 * circle is dropped; one the circle cuts is clipped to its visible part and ignored (not scored).
 */
export function cellsInCircle(cells: readonly DeviceCell[], c: EyepieceCircle, minVisibleFraction: number): DeviceCell[] {
  const out: DeviceCell[] = [];
  for (const cell of cells) {
    if (area(cell.box) <= 0) continue;
    const v = clipBoxToCircle(cell.box, c);
    if (!v || v.fraction < minVisibleFraction) continue;
    if (v.fraction >= 1) out.push(cell);
    else out.push({ ...cell, box: v.box, ignore: true });
  }
  return out;
}
