import { describe, expect, it } from 'vitest';
import { TRACK_DEFAULTS } from '../../src/track/config.js';
import { BCCD_RBC_DIAMETER_PX, scaleRelativeToBccd, stagePaceCellPx, trackingForScale } from '../../src/track/scale.js';
import { DEFAULT_STAGE_PACE_CONFIG, StagePace } from '../../src/track/stage-pace.js';

describe('trackingForScale: the gates follow the scale', () => {
  // red cell in frame px -> the pixel lengths that follow it (BCCD: 102 px)
  const rows: { name: string; rbc: number | null; pausePx: number; edgeMarginPx: number; cellPx: number | undefined }[] = [
    { name: "BCCD's own scale: today's values", rbc: 102, pausePx: 0.75, edgeMarginPx: 3, cellPx: 168 },
    { name: 'scale unknown: today (the cell a share of the frame, whatever its size)', rbc: null, pausePx: 0.75, edgeMarginPx: 3, cellPx: undefined },
    { name: 'x0.5 (red cells 51 px): half', rbc: 51, pausePx: 0.375, edgeMarginPx: 1.5, cellPx: 84 },
    { name: 'x1.5 (153 px): one and a half', rbc: 153, pausePx: 1.125, edgeMarginPx: 4.5, cellPx: 252 },
    { name: 'x0.15 (15.3 px): the edge margin stays at least a pixel', rbc: 15.3, pausePx: 0.1125, edgeMarginPx: 1, cellPx: 25.2 },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const s = trackingForScale(r.rbc);
      expect(s.track.registration.pausePx).toBeCloseTo(r.pausePx, 9);
      expect(s.track.registry.edgeMarginPx).toBeCloseTo(r.edgeMarginPx, 9);
      if (r.cellPx === undefined) expect(s.stagePace).toEqual(DEFAULT_STAGE_PACE_CONFIG);
      else expect(s.stagePace.cellPx).toBeCloseTo(r.cellPx, 9);
      // ratios are left alone
      expect(s.track.registry.gateFraction).toBe(TRACK_DEFAULTS.registry.gateFraction);
      expect(s.track.registry.gateIou).toBe(TRACK_DEFAULTS.registry.gateIou);
      expect(s.track.count).toEqual(TRACK_DEFAULTS.count);
    });
  }
  it("keeps the caller's overrides, scaled as BCCD-scale values", () => {
    const s = trackingForScale(51, { registry: { edgeMarginPx: 10 }, count: { minObservations: 5 } });
    expect(s.track.registry.edgeMarginPx).toBe(5);
    expect(s.track.count.minObservations).toBe(5);
  });
  it('scaleRelativeToBccd', () => {
    expect(scaleRelativeToBccd(BCCD_RBC_DIAMETER_PX * 2)).toBe(2);
    expect(scaleRelativeToBccd(0)).toBe(1);
    expect(scaleRelativeToBccd(Number.NaN)).toBe(1);
  });
});

describe('StagePace at a calibrated scale', () => {
  const frame = { width: 640, height: 480 };
  const paceAfterStep = (cfg: ConstructorParameters<typeof StagePace>[0], dx: number): number | null => {
    const p = new StagePace(cfg);
    p.update({ detected: true, segment: 0, pose: { x: 0, y: 0 }, frame });
    return p.update({ detected: true, segment: 0, pose: { x: dx, y: 0 }, frame });
  };
  it('x0.5: the step that shows an 84 px cell whole in 3 frames is exactly the limit (1)', () => {
    const scaled = trackingForScale(51);
    const step = (640 - 84) / 3;
    expect(paceAfterStep({ ...scaled.stagePace, minObservations: 3 }, step)).toBeCloseTo(1, 9);
    // the BCCD-scale cell (168 px) would have warned too early
    expect(paceAfterStep({ ...DEFAULT_STAGE_PACE_CONFIG, minObservations: 3 }, step)).toBeCloseTo(556 / 472, 9);
  });
  it("at BCCD's scale the pace is today's", () => {
    const scaled = trackingForScale(102);
    expect(paceAfterStep({ ...scaled.stagePace, minObservations: 3 }, 100)).toBeCloseTo(paceAfterStep({ ...DEFAULT_STAGE_PACE_CONFIG, minObservations: 3 }, 100)!, 9);
  });
  it('a cell larger than the view keeps a finite limit', () => {
    expect(paceAfterStep({ ...DEFAULT_STAGE_PACE_CONFIG, cellPx: 5000, minObservations: 3 }, 10)).toBeCloseTo(10 / ((640 - 456) / 3), 9);
  });
  it('follows a live calibration: the cell size is asked on every analysed frame', () => {
    let rbc: number | null = null;
    const p = new StagePace({ ...DEFAULT_STAGE_PACE_CONFIG, cellPx: () => stagePaceCellPx(rbc), minObservations: 3 });
    const step = (640 - 84) / 3;
    p.update({ detected: true, segment: 0, pose: { x: 0, y: 0 }, frame });
    expect(p.update({ detected: true, segment: 0, pose: { x: step, y: 0 }, frame })).toBeCloseTo(556 / 472, 9); // not calibrated yet: a share of the frame
    rbc = 51; // calibrated at x0.5
    p.reset();
    p.update({ detected: true, segment: 0, pose: { x: 0, y: 0 }, frame });
    expect(p.update({ detected: true, segment: 0, pose: { x: step, y: 0 }, frame })).toBeCloseTo(1, 9);
  });
  it('BAD CALL - a negative cellPx', () => {
    expect(() => new StagePace({ ...DEFAULT_STAGE_PACE_CONFIG, cellPx: -1, minObservations: 3 })).toThrow('cellPx must be non-negative, got -1');
  });
});
