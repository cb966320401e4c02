import { describe, expect, it } from 'vitest';
import { AutoCalibrator, colourReferenceOf, readingOf } from '../../src/detect/auto-calibrator.js';
import type { CalibrationState } from '../../src/calibration/calibrator.js';
import { testProfile } from './profile-fixture.js';
import type { Frame } from '../../src/core/frame.js';

const PROFILE = testProfile({ camera: 'live', field: { kind: 'circle', cx: 320, cy: 240, r: 230 }, colour: { wbGains: [1.1, 1, 0.9], stain: null } });
const state = (s: Partial<CalibrationState>): CalibrationState => ({ status: 'calibrating', source: 'estimated', profile: null, frames: 1, goodEstimates: 0, lastError: null, ...s });

describe('readingOf: the core calibrator state as the detector reads it', () => {
  // core state -> status, scale, message
  const rows: { name: string; s: CalibrationState; status: string; scale: number | null; message: string | null }[] = [
    { name: 'warming up', s: state({}), status: 'calibrating', scale: null, message: null },
    { name: 'no red cells yet: calibrating, says why, no scale', s: state({ status: 'failed', lastError: 'cannot estimate scale: no red cells found' }), status: 'calibrating', scale: null, message: 'cannot estimate scale: no red cells found' },
    { name: 'calibrated', s: state({ status: 'calibrated', profile: PROFILE }), status: 'calibrated', scale: 51, message: null },
    { name: "the core's held (refined): calibrated", s: state({ status: 'held', profile: PROFILE }), status: 'calibrated', scale: 51, message: null },
    { name: 'a bad frame after a good calibration: held, the last good scale kept', s: state({ status: 'calibrated', profile: PROFILE, lastError: 'cannot estimate scale: no red cells found' }), status: 'held', scale: 51, message: 'held (cannot estimate scale: no red cells found)' },
  ];
  for (const r of rows) {
    it(r.name, () => {
      const c = readingOf(r.s, true);
      expect(c.status).toBe(r.status);
      expect(c.scale?.rbcDiameterPx ?? null).toBe(r.scale);
      expect(c.message).toBe(r.message);
    });
  }
  it('colour only when a reference was given', () => {
    expect(readingOf(state({ status: 'calibrated', profile: PROFILE }), true).colour).toEqual(PROFILE.colour);
    expect(readingOf(state({ status: 'calibrated', profile: PROFILE }), false).colour).toBeNull();
    expect(readingOf(state({ status: 'calibrated', profile: PROFILE }), false).field).toEqual(PROFILE.field);
  });
});

describe('AutoCalibrator over the core Calibrator', () => {
  const black: Frame = { seq: 0, timestampMs: 0, width: 64, height: 48, rgb: new Uint8Array(64 * 48 * 3) };
  it('a black frame gives no scale (never a wild one) and says why; reset starts again', () => {
    const c = new AutoCalibrator({ perImage: true });
    c.observe(black);
    expect(c.current.scale).toBeNull();
    expect(c.current.status).toBe('calibrating');
    expect(c.current.message).toMatch(/cannot estimate scale/);
    c.reset();
    expect(c.state.frames).toBe(0);
  });
  it("colourReferenceOf: the card's background", () => {
    expect(colourReferenceOf({ colourReference: { labMean: [0, 0, 0], labStd: [1, 1, 1], backgroundRgb: [200, 201, 202] } })).toEqual({ backgroundRgb: [200, 201, 202] });
  });
});
