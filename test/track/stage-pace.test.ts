import { describe, expect, it } from 'vitest';
import { StagePace } from '../../src/track/stage-pace.js';

const cfg = { window: 3, cellFraction: 0.25, minObservations: 3 };
// 640x480, cell 120 px: limits (640-120)/3 = 173.3 px in x, (480-120)/3 = 120 px in y
const at = (x: number, y: number, detected = true, segment = 0) => ({ detected, segment, pose: { x, y }, frame: { width: 640, height: 480 } });

describe('StagePace', () => {
  it('is the median step between analysed frames over the most that still gives each cell minObservations whole views', () => {
    const p = new StagePace(cfg);
    expect(p.update(at(0, 0))).toBeNull();
    expect(p.update(at(52, 0))).toBeCloseTo(0.3); // 52 / 173.3
    expect(p.update(at(52, 60))).toBeCloseTo(0.4); // median of 0.3 and 0.5 (60 / 120)
    expect(p.update(at(52, 240))).toBeCloseTo(0.5); // median of 0.3, 0.5, 1.5
    expect(p.update(at(52, 420))).toBeCloseTo(1.5); // 0.5, 1.5, 1.5: too fast
  });

  it('counts only analysed frames: skipped frames add to the next step', () => {
    const p = new StagePace(cfg);
    p.update(at(0, 0));
    expect(p.update(at(0, 60, false))).toBeNull();
    expect(p.update(at(0, 120, false))).toBeNull();
    expect(p.update(at(0, 180))).toBeCloseTo(1.5);
  });

  it('does not take a jump (new segment) for stage motion, and forgets on reset', () => {
    const p = new StagePace(cfg);
    p.update(at(0, 0));
    p.update(at(0, 30));
    expect(p.update(at(5000, 5000, true, 1))).toBeNull();
    expect(p.update(at(5000, 5012, true, 1))).toBeCloseTo(0.1);
    p.reset();
    expect(p.update(at(0, 0))).toBeNull();
  });

  it('does not take a jump back onto the same segment (relocalised) for stage motion', () => {
    const p = new StagePace(cfg);
    p.update(at(0, 0));
    p.update(at(0, 30));
    // the video started over: the registrar rejoined segment 0 at its start, on a frame the detector skipped
    expect(p.update({ ...at(-1000, 0, false), motion: 'jump' })).toBeCloseTo(0.25);
    expect(p.update(at(-1000, 12))).toBeNull(); // as after a new segment: not a 1,000 px step (pace 3.0)
    expect(p.update(at(-1000, 24))).toBeCloseTo(0.1);
  });

  it('rejects a bad configuration', () => {
    expect(() => new StagePace({ ...cfg, window: 0 })).toThrow(/window/);
    expect(() => new StagePace({ ...cfg, cellFraction: 1 })).toThrow(/cellFraction/);
    expect(() => new StagePace({ ...cfg, minObservations: 0 })).toThrow(/minObservations/);
  });
});
