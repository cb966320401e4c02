import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { Calibrator, type CalibrationState } from '../../src/calibration/calibrator.js';
import { NO_RED_CELLS } from '../../src/calibration/scale.js';
import { SAMPLE_PROFILE } from './sample-profile.js';
import { discField, solid, testPattern } from './synthetic.js';

const W = 320;
const H = 240;
const reference = { backgroundRgb: [204, 206, 200] as [number, number, number], cellLabMean: [62, 20, 4] as [number, number, number], cellLabStd: [8, 6, 7] as [number, number, number] };
let seq = 0;
const frame = (rgb: Uint8Array, w = W, h = H): Frame => ({ seq: seq++, timestampMs: seq * 40, width: w, height: h, rgb });
const cells = (seed: number, diameter = 30) => frame(discField({ width: W, height: H, diameter, seed }).rgb);
const black = () => frame(solid(W, H, [0, 0, 0]));
const pattern = () => frame(testPattern(W, H));
const make = (extra: Partial<ConstructorParameters<typeof Calibrator>[0]> = {}) =>
  new Calibrator({ camera: 'test:', reference, warmupFrames: 3, refineEvery: 1, holdAfter: 6, now: () => '2026-12-04T18:00:00.000Z', ...extra });

type Step = { frame: () => Frame; expect: (s: CalibrationState, prev: CalibrationState | null) => void };

function run(c: Calibrator, steps: readonly Step[]): CalibrationState {
  let prev: CalibrationState | null = null;
  for (const st of steps) {
    const s = c.push(st.frame());
    st.expect(s, prev);
    // Small and serialisable: survives a JSON round trip unchanged.
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
    prev = s;
  }
  return prev as CalibrationState;
}

describe('Calibrator', () => {
  it('warms up, keeps the last good calibration through frames with no red cells, then holds', () => {
    const c = make();
    let good: CalibrationState | null = null;
    run(c, [
      // warm-up frame 1 and 2: still calibrating, no profile yet
      { frame: () => cells(1), expect: (s) => expect([s.status, s.profile]).toEqual(['calibrating', null]) },
      { frame: () => cells(2), expect: (s) => expect(s.status).toBe('calibrating') },
      // frame 3 ends the warm-up: calibrated from the median of three estimates
      {
        frame: () => cells(3),
        expect: (s) => {
          expect(s.status).toBe('calibrated');
          expect(s.goodEstimates).toBe(3);
          expect(s.profile?.frames).toBe(3);
          expect(s.profile?.scale.rbcDiameterPx).toBeGreaterThan(20);
          expect(s.profile?.scale.rbcDiameterPx).toBeLessThan(45);
          good = s;
        },
      },
      // a black frame: refused, the calibration stays as it was, and the state says why
      {
        frame: black,
        expect: (s) => {
          expect(s.status).toBe('calibrated');
          expect(s.lastError).toMatch(new RegExp(`^${NO_RED_CELLS}`));
          expect(s.profile?.scale).toEqual(good?.profile?.scale);
        },
      },
      // a test pattern: the same
      { frame: pattern, expect: (s) => expect([s.profile?.scale, s.lastError?.startsWith(NO_RED_CELLS)]).toEqual([good?.profile?.scale, true]) },
      // good frames again: refined, the error clears
      { frame: () => cells(4), expect: (s) => expect([s.goodEstimates, s.lastError]).toEqual([4, null]) },
      { frame: () => cells(5), expect: (s) => expect(s.goodEstimates).toBe(5) },
      // the 6th good estimate: held
      { frame: () => cells(6), expect: (s) => expect(s.status).toBe('held') },
      // held: no more estimation, whatever comes
      { frame: black, expect: (s, prev) => expect([s.status, s.goodEstimates, s.lastError, s.profile]).toEqual(['held', 6, null, prev?.profile]) },
    ]);
  });

  it('recalibrate() starts over (the operator changed the objective)', () => {
    const c = make();
    run(c, [1, 2, 3].map((k) => ({ frame: () => cells(k), expect: () => undefined })));
    expect(c.state.status).toBe('calibrated');
    const s = c.recalibrate();
    expect([s.status, s.profile, s.frames, s.goodEstimates]).toEqual(['calibrating', null, 0, 0]);
    // The new objective: cells twice as large.
    run(c, [11, 12, 13].map((k) => ({ frame: () => cells(k, 60), expect: () => undefined })));
    expect(c.state.profile?.scale.rbcDiameterPx).toBeGreaterThan(40);
  });

  it('no red cells during the whole warm-up: failed, no profile, and why', () => {
    const s = run(make(), [black, pattern, black].map((f) => ({ frame: f, expect: () => undefined })));
    expect(s.status).toBe('failed');
    expect(s.profile).toBeNull();
    expect(s.lastError).toMatch(new RegExp(`^${NO_RED_CELLS}`));
  });

  it('a fixed profile turns estimation off; a frame of another size is reported', () => {
    const c = make({ profile: SAMPLE_PROFILE });
    const s = c.push(cells(1));
    expect([s.status, s.source, s.profile]).toEqual(['held', 'profile', SAMPLE_PROFILE]);
    expect(s.lastError).toBe('profile is for 640x480 frames, got 320x240');
    expect(c.recalibrate().profile).toBe(SAMPLE_PROFILE);
  });

  it('a µm/px override fixes the scale; field and colour are still measured', () => {
    const s = run(make({ umPerPx: 0.2 }), [1, 2, 3].map((k) => ({ frame: () => cells(k), expect: () => undefined })));
    expect(s.source).toBe('override');
    expect(s.profile?.scale).toEqual({ rbcDiameterPx: 37.5, umPerPx: 0.2, rbcCount: 0, confidence: 1, method: 'override' });
    expect(s.profile?.colour.stain).not.toBeNull();
  });

  it('a new frame size restarts the calibration', () => {
    const c = make();
    run(c, [1, 2, 3].map((k) => ({ frame: () => cells(k), expect: () => undefined })));
    const s = c.push(frame(discField({ width: 200, height: 160, diameter: 30, seed: 9 }).rgb, 200, 160));
    expect([s.status, s.frames]).toEqual(['calibrating', 1]);
  });
});
