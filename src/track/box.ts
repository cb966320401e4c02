import type { Box } from './types.js';

export function area(b: Box): number {
  return Math.max(0, b.x2 - b.x1) * Math.max(0, b.y2 - b.y1);
}

export function intersect(a: Box, b: Box): Box | null {
  const x1 = Math.max(a.x1, b.x1);
  const y1 = Math.max(a.y1, b.y1);
  const x2 = Math.min(a.x2, b.x2);
  const y2 = Math.min(a.y2, b.y2);
  return x2 > x1 && y2 > y1 ? { x1, y1, x2, y2 } : null;
}

export function iou(a: Box, b: Box): number {
  const i = intersect(a, b);
  if (!i) return 0;
  const ia = area(i);
  return ia / (area(a) + area(b) - ia);
}

export function union(a: Box, b: Box): Box {
  return { x1: Math.min(a.x1, b.x1), y1: Math.min(a.y1, b.y1), x2: Math.max(a.x2, b.x2), y2: Math.max(a.y2, b.y2) };
}

export function translate(b: Box, dx: number, dy: number): Box {
  return { x1: b.x1 + dx, y1: b.y1 + dy, x2: b.x2 + dx, y2: b.y2 + dy };
}

export function centre(b: Box): { x: number; y: number } {
  return { x: (b.x1 + b.x2) / 2, y: (b.y1 + b.y2) / 2 };
}

export function diagonal(b: Box): number {
  return Math.hypot(b.x2 - b.x1, b.y2 - b.y1);
}

/** Linear blend: a * (1 - w) + b * w. */
export function blend(a: Box, b: Box, w: number): Box {
  return {
    x1: a.x1 + (b.x1 - a.x1) * w,
    y1: a.y1 + (b.y1 - a.y1) * w,
    x2: a.x2 + (b.x2 - a.x2) * w,
    y2: a.y2 + (b.y2 - a.y2) * w,
  };
}

/** True when b lies inside a shrunk by `margin` on every side. */
export function insideWithMargin(outer: Box, b: Box, margin: number): boolean {
  return b.x1 >= outer.x1 + margin && b.y1 >= outer.y1 + margin && b.x2 <= outer.x2 - margin && b.y2 <= outer.y2 - margin;
}

/** Intersection over the smaller box's area (1 when one box contains the other). */
export function overlapOfSmaller(a: Box, b: Box): number {
  const i = intersect(a, b);
  if (!i) return 0;
  return area(i) / Math.max(1e-9, Math.min(area(a), area(b)));
}
