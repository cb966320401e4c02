import { describe, expect, it } from 'vitest';
import { detectFieldMask } from '../../src/calibration/field-mask.js';
import { boxInField, fieldFraction, forEachFieldPixel, pointInField, rasteriseField } from '../../src/calibration/field-region.js';
import type { FieldMask } from '../../src/calibration/types.js';
import { blackOutside, discField } from './synthetic.js';

const W = 640;
const H = 480;
const smear = (seed: number) => discField({ width: W, height: H, diameter: 40, seed }).rgb;

describe('detectFieldMask', () => {
  const cases: { name: string; make: () => Uint8Array; expected: FieldMask }[] = [
    // A smear filling the frame: nothing to mask.
    { name: 'full frame', make: () => smear(1), expected: { kind: 'full' } },
    // A smartphone on the eyepiece: a circle inside the frame, black around it.
    { name: 'eyepiece circle inside the frame', make: () => blackOutside(smear(2), W, H, (x, y) => Math.hypot(x - 330, y - 236) <= 200), expected: { kind: 'circle', cx: 330, cy: 236, r: 200 } },
    // A wider eyepiece circle cut by the top and bottom of the frame.
    { name: 'eyepiece circle cut by the frame', make: () => blackOutside(smear(3), W, H, (x, y) => Math.hypot(x - 320, y - 240) <= 290), expected: { kind: 'circle', cx: 320, cy: 240, r: 290 } },
    // A black border (letterboxed capture).
    { name: 'black border rectangle', make: () => blackOutside(smear(4), W, H, (x, y) => x >= 40 && x < 600 && y >= 30 && y < 450), expected: { kind: 'rect', x0: 40, y0: 30, x1: 600, y1: 450 } },
  ];
  it.each(cases)('$name', ({ make, expected }) => {
    const m = detectFieldMask(make(), W, H);
    expect(m.kind).toBe(expected.kind);
    if (m.kind === 'circle' && expected.kind === 'circle') {
      expect(Math.abs(m.cx - expected.cx)).toBeLessThan(3);
      expect(Math.abs(m.cy - expected.cy)).toBeLessThan(3);
      // The mask is inset by a couple of pixels from the dark rim.
      expect(m.r).toBeGreaterThan(expected.r - 6);
      expect(m.r).toBeLessThanOrEqual(expected.r + 1);
    }
    if (m.kind === 'rect' && expected.kind === 'rect') {
      for (const k of ['x0', 'y0', 'x1', 'y1'] as const) expect(Math.abs(m[k] - expected[k])).toBeLessThanOrEqual(4);
    }
  });

  it('BAD CALL - wrong buffer size names the expected size', () => {
    expect(() => detectFieldMask(new Uint8Array(10), W, H)).toThrow(/expected 921600 RGB bytes for 640x480/);
  });
});

describe('field region helpers', () => {
  const circle: FieldMask = { kind: 'circle', cx: 50, cy: 40, r: 30 };
  const rect: FieldMask = { kind: 'rect', x0: 10, y0: 5, x1: 90, y1: 70 };
  it.each([
    // centre of the circle
    { mask: circle, x: 50, y: 40, inside: true },
    // just inside and just outside the rim
    { mask: circle, x: 79.9, y: 40, inside: true },
    { mask: circle, x: 80.1, y: 40, inside: false },
    // rect: x0 inclusive, x1 exclusive
    { mask: rect, x: 10, y: 5, inside: true },
    { mask: rect, x: 90, y: 30, inside: false },
    // full: everything
    { mask: { kind: 'full' } as FieldMask, x: -5, y: 1e6, inside: true },
  ])('pointInField($mask.kind, $x, $y) = $inside', ({ mask, x, y, inside }) => {
    expect(pointInField(mask, x, y)).toBe(inside);
  });

  it('boxInField: centre rule keeps a box half outside, all-corners rule drops it', () => {
    const box = { x1: 70, y1: 30, x2: 95, y2: 50 }; // centre (82.5, 40): outside r=30
    const inner = { x1: 40, y1: 30, x2: 60, y2: 50 };
    expect(boxInField(circle, inner, 'all')).toBe(true);
    expect(boxInField(circle, box, 'centre')).toBe(false);
    expect(boxInField(circle, { x1: 60, y1: 30, x2: 90, y2: 50 }, 'centre')).toBe(true);
    expect(boxInField(circle, { x1: 60, y1: 30, x2: 90, y2: 50 }, 'all')).toBe(false);
  });

  it('rasteriseField, forEachFieldPixel and fieldFraction agree with pointInField', () => {
    const w = 100;
    const h = 80;
    for (const mask of [circle, rect, { kind: 'full' } as FieldMask]) {
      const r = rasteriseField(mask, w, h);
      let n = 0;
      let disagree = 0;
      for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
        if ((r[y * w + x] === 1) !== pointInField(mask, x + 0.5, y + 0.5)) disagree++;
        n += r[y * w + x];
      }
      expect(disagree).toBe(0);
      expect(fieldFraction(mask, w, h)).toBeCloseTo(n / (w * h), 10);
      let visited = 0;
      let wrong = 0;
      forEachFieldPixel(mask, w, h, 1, (x, y, i) => {
        if (i !== y * w + x || r[i] !== 1) wrong++;
        visited++;
      });
      expect(wrong).toBe(0);
      expect(visited).toBe(n);
      let strided = 0;
      let offGrid = 0;
      forEachFieldPixel(mask, w, h, 4, (x, y) => {
        if (x % 4 !== 0 || y % 4 !== 0) offGrid++;
        strided++;
      });
      expect(offGrid).toBe(0);
      expect(strided).toBeGreaterThan(n / 20);
    }
  });
});
