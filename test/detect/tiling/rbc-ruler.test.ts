import { describe, expect, it } from 'vitest';
import { RULER_DEFAULTS } from '../../../src/detect/tiling/config.js';
import { RulerWindow, measureRbcDiameter, rulerDisagreement } from '../../../src/detect/tiling/rbc-ruler.js';
import type { DetectionsXyxyPixels } from '../../../src/core/detections.js';
import { CLASSES } from './fake-cells.js';

const RBC = CLASSES.indexOf('RBC');

/** Detections of [x1, y1, x2, y2, score, class] rows in a 640x480 frame. */
function dets(rows: readonly (readonly [number, number, number, number, number, number])[]): DetectionsXyxyPixels {
  return {
    kind: 'xyxy-pixels',
    imageWidth: 640,
    imageHeight: 480,
    boxes: Float32Array.from(rows.flatMap((r) => r.slice(0, 4))),
    scores: Float32Array.from(rows, (r) => r[4]),
    classIds: Int32Array.from(rows, (r) => r[5]),
    classNames: CLASSES,
  };
}

const rbc = (x: number, y: number, size: number, score = 0.9) => [x, y, x + size, y + size, score, RBC] as const;

describe('measureRbcDiameter', () => {
  it.each([
    // red cells of 40, 50, 60 and 70 px: the median of sqrt(w*h)
    { name: 'median of four red cells', rows: [rbc(10, 10, 40), rbc(100, 10, 50), rbc(200, 10, 60), rbc(300, 10, 70)], want: { diameterPx: 55, count: 4 } },
    // a leukocyte and a platelet are not red cells
    { name: 'other classes ignored', rows: [rbc(10, 10, 50), rbc(100, 10, 50), rbc(200, 10, 50), rbc(300, 10, 50), [400, 10, 500, 110, 0.9, 0] as const, [10, 200, 20, 210, 0.9, 6] as const], want: { diameterPx: 50, count: 4 } },
    // boxes touching the frame's edge are cut by it: not measured (else the median would be 20)
    { name: 'edge-cut boxes left out', rows: [rbc(0, 10, 20), rbc(0, 100, 20), rbc(620, 200, 20), rbc(100, 10, 50), rbc(200, 10, 60)], want: { diameterPx: 55, count: 2 } },
    // ... and then too few may remain
    { name: 'one whole red cell is too few', rows: [rbc(0, 10, 20), rbc(100, 10, 50)], want: null },
    // low scores are not measured
    { name: 'low scores left out', rows: [rbc(10, 10, 20, 0.1), rbc(50, 10, 20, 0.1), rbc(100, 10, 50), rbc(200, 10, 60)], want: { diameterPx: 55, count: 2 } },
    // no red cells at all (a test pattern): no measure, never a wild one
    { name: 'nothing detected', rows: [], want: null },
  ])('$name', ({ rows, want }) => {
    expect(measureRbcDiameter(dets(rows), RULER_DEFAULTS)).toEqual(want);
  });

  it('a card without a red-cell class gives no measure', () => {
    expect(measureRbcDiameter({ ...dets([rbc(10, 10, 50), rbc(100, 10, 50), rbc(200, 10, 50), rbc(300, 10, 50)]), classNames: ['WBC'] }, RULER_DEFAULTS)).toBeNull();
  });
});

describe('rulerDisagreement', () => {
  it.each([
    // measured / used
    [100, 100, 'agrees'],
    [125, 100, 'agrees'], // within the ±30% the model was mostly trained over
    [80, 100, 'agrees'], // symmetric in log scale: 1/1.3 = 0.77
    [140, 100, 'rescale'],
    [66, 100, 'rescale'], // the other microscope seen at BCCD's scale
    [50, 100, 'rescale'],
    [30, 100, 'untrusted'], // further than the model has seen: keep the core's estimate
    [250, 100, 'untrusted'],
    [Number.NaN, 100, 'untrusted'],
  ] as const)('%d px measured where %d px were used: %s', (measured, used, want) => {
    expect(rulerDisagreement(measured, used, RULER_DEFAULTS)).toBe(want);
  });
});

describe('RulerWindow', () => {
  it('keeps the last N measures and gives their median', () => {
    const w = new RulerWindow(3);
    expect(w.current).toBeNull();
    for (const d of [10, 50, 52, 54]) w.push({ diameterPx: d, count: 5 });
    expect(w.size).toBe(3);
    expect(w.current).toEqual({ diameterPx: 52, count: 15 });
    w.clear();
    expect(w.current).toBeNull();
  });
});
