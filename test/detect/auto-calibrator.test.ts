import { describe, expect, it } from 'vitest';
import { AutoCalibrator, combineEstimates } from '../../src/detect/auto-calibrator.js';
import type { Frame } from '../../src/core/frame.js';
import type { ScaleResult } from '../../src/pipeline/calibration/types.js';

const est = (d: number, n = 10): ScaleResult => ({ ok: true, estimate: { rbcDiameterPx: d, umPerPx: 7.5 / d, rbcCount: n, confidence: 0.8, method: 'test' } });
const NONE: ScaleResult = { ok: false, reason: 'cannot estimate scale: no red cells found' };
const frame = (seq: number): Frame => ({ seq, timestampMs: seq, width: 1, height: 1, rgb: new Uint8Array(3) });

/** Scripted estimates, one per observed frame. */
function scripted(results: ScaleResult[]) {
  let i = 0;
  const calls: number[] = [];
  return { calls, estimate: (f: Frame) => (calls.push(f.seq), results[i++] ?? NONE) };
}

describe('AutoCalibrator', () => {
  it('refines over the first good frames (median), then holds and stops measuring', () => {
    const s = scripted([est(50), est(54), est(52), est(90)]);
    const c = new AutoCalibrator(s.estimate, { refineFrames: 3 });
    for (let i = 0; i < 5; i++) c.observe(frame(i));
    expect(c.current.scale?.rbcDiameterPx).toBe(52);
    expect(c.current.scale?.umPerPx).toBeCloseTo(7.5 / 52, 12);
    expect(c.current.scale?.rbcCount).toBe(30);
    expect(s.calls).toEqual([0, 1, 2]);
    expect(c.current.status).toBe('calibrated');
  });
  it('a frame with no red cells keeps the last good calibration and says so', () => {
    const c = new AutoCalibrator(scripted([est(50), NONE]).estimate, { refineFrames: 5 });
    c.observe(frame(0));
    c.observe(frame(1));
    expect(c.current).toMatchObject({ status: 'held', scale: { rbcDiameterPx: 50 }, message: 'held (cannot estimate scale: no red cells found)' });
  });
  it('no red cells from the start: still calibrating, no scale (never a wild one)', () => {
    const c = new AutoCalibrator(scripted([NONE, NONE]).estimate);
    c.observe(frame(0));
    c.observe(frame(1));
    expect(c.current).toMatchObject({ status: 'calibrating', scale: null, message: 'cannot estimate scale: no red cells found' });
  });
  it('reset starts again', () => {
    const c = new AutoCalibrator(scripted([est(50), est(80)]).estimate, { refineFrames: 1 });
    c.observe(frame(0));
    c.reset();
    expect(c.current.scale).toBeNull();
    c.observe(frame(1));
    expect(c.current.scale?.rbcDiameterPx).toBe(80);
  });
  it('combineEstimates: even count takes the mean of the middle two', () => {
    const e = (d: number) => (est(d) as Extract<ScaleResult, { ok: true }>).estimate;
    expect(combineEstimates([e(10), e(20)]).rbcDiameterPx).toBe(15);
  });
});
