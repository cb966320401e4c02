import { describe, expect, it } from 'vitest';
import { planAxis, planTiles, stretchPlan, type TilePlan } from '../../../src/detect/tiling/plan.js';

// leukoscan-lite: 512x384 input; BCCD: 640x480 frames, red cells 102 px -> 81.6 px at the input
const INPUT = { width: 512, height: 384 };
const TRAIN = 81.6;
const BCCD_RBC = 102;
const FRAME = { width: 640, height: 480 };

const plan = (rbc: number | null, frame = FRAME, config = {}): TilePlan => planTiles({ frame, input: INPUT, trainingRbcDiameterPx: TRAIN, rbcDiameterPx: rbc }, config);

/** How many tile cores contain the point (must be exactly one). */
function coresAt(p: TilePlan, x: number, y: number): number {
  return p.tiles.filter((t) => x >= t.core.x0 && x < t.core.x1 && y >= t.core.y0 && y < t.core.y1).length;
}

describe('planTiles at BCCD scale', () => {
  it("is exactly today's single stretched input", () => {
    expect(plan(BCCD_RBC)).toEqual({ ...stretchPlan(FRAME, INPUT), wantedFactor: TRAIN / BCCD_RBC });
    expect(plan(BCCD_RBC).tiles).toEqual([{ region: { x0: 0, y0: 0, x1: 640, y1: 480 }, canvas: FRAME, offset: { x: 0, y: 0 }, core: { x0: 0, y0: 0, x1: 640, y1: 480 } }]);
  });
  for (const noise of [0.95, 0.97, 1.03, 1.05]) {
    it(`a ${((noise - 1) * 100).toFixed(0)}% scale estimate error does not flip to tiles`, () => {
      expect(plan(BCCD_RBC * noise).mode).toBe('stretch');
    });
  }
  it('no scale known: today', () => {
    expect(plan(null).mode).toBe('stretch');
    expect(plan(0).mode).toBe('stretch');
    expect(plan(Number.NaN).mode).toBe('stretch');
  });
});

describe('planTiles from x0.25 to x2 (640x480 frames)', () => {
  // magnification relative to BCCD -> red cells 102 * m px; expected grid
  const rows: { m: number; mode: 'stretch' | 'resample'; cols: number; rows: number }[] = [
    { m: 0.25, mode: 'resample', cols: 6, rows: 8 }, // 2560x1920 at BCCD scale: many overlapping tiles
    { m: 0.4, mode: 'resample', cols: 4, rows: 5 },
    { m: 0.6, mode: 'resample', cols: 3, rows: 3 }, // the 2.5-red-cell overlap costs a third row and column
    { m: 1, mode: 'stretch', cols: 1, rows: 1 },
    { m: 1.5, mode: 'resample', cols: 1, rows: 1 }, // shrunk into one padded tile
    { m: 2, mode: 'resample', cols: 1, rows: 1 },
  ];
  for (const r of rows) {
    describe(`x${r.m}`, () => {
      const rbc = BCCD_RBC * r.m;
      const p = plan(rbc);
      it(`is ${r.mode}, ${r.cols}x${r.rows} tiles`, () => {
        expect(p.mode).toBe(r.mode);
        expect([p.cols, p.rows]).toEqual([r.cols, r.rows]);
        expect(p.tiles).toHaveLength(r.cols * r.rows);
      });
      it('brings red cells to the training size (within 1%)', () => {
        if (p.mode === 'stretch') return;
        expect(Math.abs(rbc * p.factor - TRAIN) / TRAIN).toBeLessThan(0.01);
      });
      it("each tile's canvas has the model input's aspect (to a pixel) and holds its region", () => {
        if (p.mode === 'stretch') return;
        for (const t of p.tiles) {
          expect(Math.abs(t.canvas.width * (INPUT.height / INPUT.width) - t.canvas.height)).toBeLessThanOrEqual(1);
          expect(t.offset.x + t.region.x1 - t.region.x0).toBeLessThanOrEqual(t.canvas.width);
          expect(t.offset.y + t.region.y1 - t.region.y0).toBeLessThanOrEqual(t.canvas.height);
          expect(t.region.x0).toBeGreaterThanOrEqual(0);
          expect(t.region.x1).toBeLessThanOrEqual(FRAME.width);
          expect(t.region.y1).toBeLessThanOrEqual(FRAME.height);
        }
      });
      it('neighbouring tiles overlap by at least 2.5 red cells', () => {
        if (p.tiles.length > 1) expect(p.overlapPx).toBeGreaterThanOrEqual(Math.floor(2.5 * rbc));
      });
      it('the cores partition the frame: every pixel in exactly one', () => {
        for (let y = 0.5; y < FRAME.height; y += 7) for (let x = 0.5; x < FRAME.width; x += 7) expect(coresAt(p, x, y)).toBe(1);
      });
      it('the regions cover the frame', () => {
        for (let y = 0.5; y < FRAME.height; y += 7) {
          for (let x = 0.5; x < FRAME.width; x += 7) {
            expect(p.tiles.some((t) => x >= t.region.x0 && x < t.region.x1 && y >= t.region.y0 && y < t.region.y1)).toBe(true);
          }
        }
      });
    });
  }
});

describe('planTiles, other frames', () => {
  it("a square 416x416 frame at BCCD scale is one tile padded to the model's aspect, not stretched", () => {
    const p = plan(BCCD_RBC, { width: 416, height: 416 });
    expect(p.mode).toBe('resample');
    expect(p.tiles).toHaveLength(1);
    const t = p.tiles[0];
    expect(t.canvas).toEqual({ width: 640, height: 480 });
    expect(t.region).toEqual({ x0: 0, y0: 0, x1: 416, y1: 416 });
    expect(t.offset).toEqual({ x: 112, y: 32 }); // centred
  });
  it('maxTiles caps the grid by lowering the factor', () => {
    const p = plan(BCCD_RBC * 0.25, FRAME, { maxTiles: 4 });
    expect(p.tiles.length).toBeLessThanOrEqual(4);
    expect(p.factor).toBeLessThan(p.wantedFactor!);
  });
});

describe('planAxis', () => {
  it('tiles start at 0 and end at the length, evenly spread, cores meet mid-overlap', () => {
    const a = planAxis(1000, 300, 100);
    expect(a[0].start).toBe(0);
    expect(a[a.length - 1].end).toBe(1000);
    for (let i = 1; i < a.length; i++) {
      expect(a[i - 1].end - a[i].start).toBeGreaterThanOrEqual(100);
      expect(a[i].coreStart).toBe(a[i - 1].coreEnd);
      expect(a[i].coreStart).toBe((a[i].start + a[i - 1].end) / 2);
    }
  });
});
