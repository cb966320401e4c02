/**
 * Field of view: an eyepiece circle with a black surround (a circle fitted to the bright/dark
 * boundary), a black border around a rectangle, or the full frame. Pure.
 */
import { type FieldMaskConfig, DEFAULT_FIELD_CONFIG } from './config.js';
import { FULL_FIELD, pointInField } from './field-region.js';
import type { FieldMask } from './types.js';

interface Point {
  readonly x: number;
  readonly y: number;
}

export function detectFieldMask(rgb: Uint8Array, width: number, height: number, config: FieldMaskConfig = DEFAULT_FIELD_CONFIG): FieldMask {
  if (rgb.length !== width * height * 3) throw new Error(`detectFieldMask: expected ${width * height * 3} RGB bytes for ${width}x${height}, got ${rgb.length}`);
  const s = Math.max(1, Math.floor(config.stride));
  const dark = (x: number, y: number): boolean => {
    const i = (y * width + x) * 3;
    return (rgb[i] * 54 + rgb[i + 1] * 183 + rgb[i + 2] * 19) >> 8 <= config.darkLuma;
  };
  let nDark = 0;
  let n = 0;
  for (let y = 0; y < height; y += s) for (let x = 0; x < width; x += s, n++) if (dark(x, y)) nDark++;
  if (nDark / n < config.minDarkFraction || nDark === n) return FULL_FIELD;
  const points = boundaryPoints(width, height, s, dark);
  const candidates: FieldMask[] = [];
  const circle = fitCircleRobust(points);
  if (circle) candidates.push(inset(circle, config.insetPx));
  const rect = brightRect(width, height, s, dark);
  if (rect) candidates.push(inset(rect, config.insetPx));
  let best: FieldMask = FULL_FIELD;
  let bestMismatch = mismatch(FULL_FIELD, width, height, s, dark);
  for (const c of candidates) {
    const m = mismatch(c, width, height, s, dark);
    if (m < bestMismatch) {
      best = c;
      bestMismatch = m;
    }
  }
  return bestMismatch <= config.maxMismatch ? best : FULL_FIELD;
}

/** Where rows and columns, scanned from each side, first turn bright (only where the side is dark). */
function boundaryPoints(width: number, height: number, s: number, dark: (x: number, y: number) => boolean): Point[] {
  const pts: Point[] = [];
  for (let y = 0; y < height; y += s) {
    if (dark(0, y)) {
      let x = 0;
      while (x < width && dark(x, y)) x++;
      if (x < width) pts.push({ x: x - 0.5, y: y + 0.5 });
    }
    if (dark(width - 1, y)) {
      let x = width - 1;
      while (x >= 0 && dark(x, y)) x--;
      if (x >= 0) pts.push({ x: x + 1.5, y: y + 0.5 });
    }
  }
  for (let x = 0; x < width; x += s) {
    if (dark(x, 0)) {
      let y = 0;
      while (y < height && dark(x, y)) y++;
      if (y < height) pts.push({ x: x + 0.5, y: y - 0.5 });
    }
    if (dark(x, height - 1)) {
      let y = height - 1;
      while (y >= 0 && dark(x, y)) y--;
      if (y >= 0) pts.push({ x: x + 0.5, y: y + 1.5 });
    }
  }
  return pts;
}

/** Algebraic (Kåsa) least-squares circle: x² + y² + D x + E y + F = 0. */
function fitCircle(pts: readonly Point[]): { cx: number; cy: number; r: number } | null {
  if (pts.length < 8) return null;
  let mx = 0;
  let my = 0;
  for (const p of pts) {
    mx += p.x;
    my += p.y;
  }
  mx /= pts.length;
  my /= pts.length;
  let suu = 0, svv = 0, suv = 0, suuu = 0, svvv = 0, suvv = 0, svuu = 0;
  for (const p of pts) {
    const u = p.x - mx;
    const v = p.y - my;
    suu += u * u;
    svv += v * v;
    suv += u * v;
    suuu += u * u * u;
    svvv += v * v * v;
    suvv += u * v * v;
    svuu += v * u * u;
  }
  const det = suu * svv - suv * suv;
  if (Math.abs(det) < 1e-9) return null;
  const a = 0.5 * (suuu + suvv);
  const b = 0.5 * (svvv + svuu);
  const uc = (a * svv - b * suv) / det;
  const vc = (b * suu - a * suv) / det;
  const r = Math.sqrt(uc * uc + vc * vc + (suu + svv) / pts.length);
  return { cx: uc + mx, cy: vc + my, r };
}

/** Fit, drop points more than 3 px (or 2x the median residual) off, refit. */
function fitCircleRobust(pts: readonly Point[]): FieldMask | null {
  let c = fitCircle(pts);
  for (let it = 0; it < 2 && c; it++) {
    const cc = c;
    const res = pts.map((p) => Math.abs(Math.hypot(p.x - cc.cx, p.y - cc.cy) - cc.r));
    const med = [...res].sort((a, b) => a - b)[res.length >> 1];
    const keep = pts.filter((_, i) => res[i] <= Math.max(3, 2 * med));
    c = fitCircle(keep);
  }
  return c ? { kind: 'circle', cx: c.cx, cy: c.cy, r: c.r } : null;
}

/** The rows and columns that are mostly bright. */
function brightRect(width: number, height: number, s: number, dark: (x: number, y: number) => boolean): FieldMask | null {
  const colBright = (x: number) => {
    let b = 0, n = 0;
    for (let y = 0; y < height; y += s, n++) if (!dark(x, y)) b++;
    return b / n > 0.5;
  };
  const rowBright = (y: number) => {
    let b = 0, n = 0;
    for (let x = 0; x < width; x += s, n++) if (!dark(x, y)) b++;
    return b / n > 0.5;
  };
  let x0 = 0;
  while (x0 < width && !colBright(x0)) x0++;
  let x1 = width;
  while (x1 > x0 && !colBright(x1 - 1)) x1--;
  let y0 = 0;
  while (y0 < height && !rowBright(y0)) y0++;
  let y1 = height;
  while (y1 > y0 && !rowBright(y1 - 1)) y1--;
  if (x1 <= x0 || y1 <= y0) return null;
  return { kind: 'rect', x0, y0, x1, y1 };
}

function inset(m: FieldMask, px: number): FieldMask {
  if (m.kind === 'circle') return { ...m, r: Math.max(1, m.r - px) };
  if (m.kind === 'rect') return { ...m, x0: m.x0 + px, y0: m.y0 + px, x1: Math.max(m.x0 + px + 1, m.x1 - px), y1: Math.max(m.y0 + px + 1, m.y1 - px) };
  return m;
}

/** Share of sampled pixels the mask gets wrong (bright outside it, or dark inside it). */
function mismatch(m: FieldMask, width: number, height: number, s: number, dark: (x: number, y: number) => boolean): number {
  let wrong = 0;
  let n = 0;
  for (let y = 0; y < height; y += s) {
    for (let x = 0; x < width; x += s, n++) {
      if (pointInField(m, x + 0.5, y + 0.5) === dark(x, y)) wrong++;
    }
  }
  return wrong / n;
}
