import { describe, expect, it } from 'vitest';
import { TRACK_DEFAULTS } from '../../src/track/config.js';
import { varianceOfLaplacian } from '../../src/track/registration/focus.js';
import { downscaleFactor, greyDownscaled } from '../../src/track/registration/grey.js';
import { correlate, spectrum, subPixel } from '../../src/track/registration/phase-correlation.js';
import { Registrar } from '../../src/track/registration/registrar.js';
import { blobCanvas, view } from './synthetic.js';

const W = 320;
const H = 240;
const canvas = blobCanvas(1200, 900, 7);
const other = blobCanvas(1200, 900, 99);

describe('phase correlation', () => {
  const f = downscaleFactor(W, H, 128);
  const spec = (x: number, y: number) => spectrum(greyDownscaled(view(canvas, 0, x, y, W, H), f), 128);
  const base = spec(300, 300);

  it.each([
    // [content shift dx, dy] in frame pixels (the stage moves by the opposite)
    [0.5, 0.25],
    [3.3, -1.7],
    [-10.25, 4.5],
    [20.6, -15.1],
    [-41.8, 30.2],
  ])('recovers a known shift (%f, %f) to sub-pixel accuracy', (dx, dy) => {
    const c = correlate(base, spec(300 - dx, 300 - dy));
    expect(Math.abs(c.dx - dx)).toBeLessThan(0.35);
    expect(Math.abs(c.dy - dy)).toBeLessThan(0.35);
    expect(c.confidence).toBeGreaterThan(2 * TRACK_DEFAULTS.registration.minConfidence);
  });

  it('gives a low confidence for unrelated fields', () => {
    const unrelated = spectrum(greyDownscaled(view(other, 0, 300, 300, W, H), f), 128);
    expect(correlate(base, unrelated).confidence).toBeLessThan(TRACK_DEFAULTS.registration.minConfidence);
  });

  it('sub-pixel refinement is zero for a symmetric peak and signed towards the larger neighbour', () => {
    expect(subPixel(0.2, 1, 0.2)).toBe(0);
    expect(subPixel(0, 1, 0.5)).toBeGreaterThan(0);
    expect(subPixel(0.5, 1, 0)).toBeLessThan(0);
  });
});

describe('focus score', () => {
  it('falls with blur', () => {
    const f = downscaleFactor(W, H, 128);
    const sharp = varianceOfLaplacian(greyDownscaled(view(canvas, 0, 100, 100, W, H), f));
    const blurred = varianceOfLaplacian(greyDownscaled(view(canvas, 0, 100, 100, W, H, 4), f));
    expect(blurred).toBeLessThan(0.5 * sharp);
  });
});

describe('Registrar', () => {
  it('accumulates slide coordinates along a path to within 2 px', () => {
    const r = new Registrar();
    let maxErr = 0;
    for (let i = 0; i < 60; i++) {
      const x = 100 + i * 9.3;
      const y = 200 + Math.sin(i / 5) * 30;
      const reg = r.update(view(canvas, i, x, y, W, H));
      expect(reg.segment).toBe(0);
      maxErr = Math.max(maxErr, Math.hypot(reg.pose.x - (x - 100), reg.pose.y - (y - 200)));
    }
    expect(maxErr).toBeLessThan(2);
  });

  it.each([
    // [label, poses of successive frames, blur per frame, expected flags of the LAST frame]
    ['first frame starts segment 0', [[0, 0]], [0], { motion: 'start', segment: 0 }],
    ['no movement is a pause', [[50, 50], [50, 50], [50.2, 50]], [0, 0, 0], { motion: 'paused', segment: 0 }],
    ['movement is moving', [[50, 50], [60, 50], [70, 50]], [0, 0, 0], { motion: 'moving', reversal: false }],
    ['back-and-forth is a reversal', [[50, 50], [70, 50], [90, 50], [75, 50]], [0, 0, 0, 0], { motion: 'moving', reversal: true }],
    ['a jump to an unrelated field starts a new segment', [[50, 50], [60, 50], [-1, -1]], [0, 0, 0], { motion: 'jump', segment: 1 }],
    ['a blurred frame is not sharp', [[50, 50], [55, 50], [60, 50], [65, 50], [70, 50], [75, 50], [80, 50]], [0, 0, 0, 0, 0, 0, 5], { sharp: false, segment: 0 }],
  ] as const)('%s', (_label, poses, blur, want) => {
    const r = new Registrar();
    let last = null as ReturnType<Registrar['update']> | null;
    poses.forEach(([x, y], i) => {
      const frame = x < 0 ? view(other, i, 400, 400, W, H) : view(canvas, i, x, y, W, H, blur[i]);
      last = r.update(frame);
    });
    expect(last).toMatchObject(want);
  });

  it('a jump back to an area mapped earlier rejoins that segment (relocalisation); unrelated fields never merge', () => {
    const r = new Registrar();
    const seen: { segment: number; x: number; y: number; motion: string }[] = [];
    const step = (frame: ReturnType<typeof view>) => {
      const g = r.update(frame);
      seen.push({ segment: g.segment, x: g.pose.x, y: g.pose.y, motion: g.motion });
    };
    for (let i = 0; i < 10; i++) step(view(canvas, i, 100 + i * 20, 100, W, H)); // segment 0
    for (let i = 10; i < 14; i++) step(view(other, i, 500 + (i - 10) * 5, 500, W, H)); // jump: unrelated slide area
    step(view(canvas, 14, 150, 110, W, H)); // jump back onto segment 0's map
    expect(seen[9].segment).toBe(0);
    expect(seen[10]).toMatchObject({ segment: 1, motion: 'jump' });
    expect(seen[13].segment).toBe(1);
    expect(seen[14].segment).toBe(0);
    expect(Math.hypot(seen[14].x - 50, seen[14].y - 10)).toBeLessThan(1.5);
    step(view(other, 15, 900, 100, W, H)); // another unrelated area: a new segment id, not a reused one
    expect(seen[15]).toMatchObject({ segment: 2, motion: 'jump' });
  });

  it('flags a revisit and closes the loop on return', () => {
    const r = new Registrar();
    const poses: [number, number][] = [];
    for (let i = 0; i <= 40; i++) poses.push([50 + i * 15, 50]); // out
    for (let i = 40; i >= 0; i--) poses.push([50 + i * 15, 80]); // back, overlapping
    let last = null as ReturnType<Registrar['update']> | null;
    let revisits = 0;
    poses.forEach(([x, y], i) => {
      last = r.update(view(canvas, i, x, y, W, H));
      if (last.revisit) revisits++;
    });
    expect(revisits).toBeGreaterThan(10);
    expect(last!.revisit).toBe(true);
    expect(Math.hypot(last!.pose.x - 0, last!.pose.y - 30)).toBeLessThan(1.5);
  });
});
