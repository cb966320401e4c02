import { describe, expect, it } from 'vitest';
import { calibrationSummary } from '../../src/detect/calibration-summary.js';
import type { DetectorCalibration } from '../../src/detect/calibration-state.js';

const base: DetectorCalibration = { mode: 'auto', status: 'calibrated', scale: null, field: { kind: 'full' }, colour: null, message: null, scaleOverridden: false, plan: null };
const scale = (method: string) => ({ rbcDiameterPx: 75, umPerPx: 0.1, rbcCount: 41, confidence: 0.9, method });

describe('calibrationSummary (detector)', () => {
  it.each([
    // no frame yet
    [{ ...base, status: 'calibrating' as const }, 'calibrating… · field: full · colour: not calibrated'],
    // the calibration core's estimate, 6 tiles
    [{ ...base, scale: scale('od-otsu'), plan: { mode: 'resample' as const, tiles: 6, cols: 3, rows: 2, factor: 1.1 } }, 'Scale 0.100 µm/px (41 red cells) · field: full · colour: not calibrated · 6 tiles'],
    // the detector's red cells measured it (src/detect/tiling/rbc-ruler.ts)
    [{ ...base, scale: scale('detector-rbc'), field: { kind: 'circle' as const, cx: 1, cy: 1, r: 1 } }, 'Scale 0.100 µm/px (41 red cells found by the detector) · field: circle · colour: not calibrated'],
    // --um-per-px
    [{ ...base, status: 'fixed' as const, scaleOverridden: true, scale: scale('override') }, 'Scale 0.100 µm/px (set by --um-per-px) · field: full · colour: not calibrated'],
  ])('%#', (c, want) => {
    expect(calibrationSummary(c as DetectorCalibration)).toBe(want);
  });
});
