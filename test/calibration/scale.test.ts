import { describe, expect, it } from 'vitest';
import { NO_RED_CELLS, estimateScale } from '../../src/calibration/scale.js';
import { RBC_DIAMETER_UM } from '../../src/calibration/types.js';
import { BCCD_TEST_ROOT } from '../data.js';
import { loadRbcField, median, rescaledFrame, splitIds, type RbcField } from '../../bench/calibration/bccd-rbc-fields.js';
import { blackOutside, discField, solid, testPattern, uniformNoise } from './synthetic.js';

describe('estimateScale on synthetic red cells', () => {
  // Discs with a pale centre and a soft edge on plasma. The estimator's box bias was fitted on
  // BCCD's annotated boxes, and comes out within 10% of the true diameter on these as well.
  const cases: { name: string; width: number; height: number; diameter: number; noise?: number; density?: number; tol?: number }[] = [
    // the smallest cells it must handle (a x0.15 objective relative to BCCD)
    { name: '15 px, 640x480', width: 640, height: 480, diameter: 15 },
    // the same with heavy sensor noise
    { name: '15 px, noise 10', width: 640, height: 480, diameter: 15, noise: 10 },
    { name: '25 px', width: 640, height: 480, diameter: 25 },
    // sparse cells
    { name: '40 px, sparse', width: 640, height: 480, diameter: 40, density: 0.2 },
    { name: '60 px', width: 640, height: 480, diameter: 60 },
    // about BCCD's own scale
    { name: '100 px, 640x480', width: 640, height: 480, diameter: 100 },
    { name: '100 px, 1280x960', width: 1280, height: 960, diameter: 100 },
    { name: '150 px, 1280x960', width: 1280, height: 960, diameter: 150 },
    // the largest (x2): only 14 cells in view, so 15%
    { name: '200 px, 1280x960', width: 1280, height: 960, diameter: 200, tol: 0.15 },
  ];
  it.each(cases)('$name: within the tolerance (10% unless given)', ({ width, height, diameter, noise, density, tol = 0.1 }) => {
    const f = discField({ width, height, diameter, noise, density, seed: diameter + (noise ?? 0) });
    const r = estimateScale(f.rgb, width, height);
    if (!r.ok) throw new Error(r.reason);
    expect(r.estimate.rbcDiameterPx / diameter).toBeGreaterThan(1 - tol);
    expect(r.estimate.rbcDiameterPx / diameter).toBeLessThan(1 + tol);
    expect(r.estimate.umPerPx).toBeCloseTo(RBC_DIAMETER_UM / r.estimate.rbcDiameterPx, 12);
    // The count is of the right order (cells cut by the frame edge count in part).
    expect(r.estimate.rbcCount).toBeGreaterThan(f.centres.length * 0.5);
    expect(r.estimate.rbcCount).toBeLessThan(f.centres.length * 3);
    expect(r.estimate.confidence).toBeGreaterThan(0.3);
  });

  it('inside an eyepiece circle: the black surround is ignored when the mask is given', () => {
    const f = discField({ width: 640, height: 480, diameter: 30, seed: 8 });
    const rgb = blackOutside(f.rgb, 640, 480, (x, y) => Math.hypot(x - 320, y - 240) <= 220);
    const r = estimateScale(rgb, 640, 480, { kind: 'circle', cx: 320, cy: 240, r: 216 });
    if (!r.ok) throw new Error(r.reason);
    expect(Math.abs(r.estimate.rbcDiameterPx / 30 - 1)).toBeLessThan(0.1);
  });
});

describe('estimateScale refuses frames with no red cells', () => {
  const W = 640;
  const H = 480;
  const cases: { name: string; rgb: () => Uint8Array }[] = [
    // ffmpeg testsrc2-like colour bars, ramp and boxes
    { name: 'a test pattern', rgb: () => testPattern(W, H) },
    // lens cap on
    { name: 'a black frame', rgb: () => solid(W, H, [0, 0, 0]) },
    // an empty slide, bright and flat
    { name: 'a blank frame', rgb: () => solid(W, H, [220, 218, 214]) },
    // sensor noise only
    { name: 'uniform noise', rgb: () => uniformNoise(W, H) },
  ];
  it.each(cases)('$name', ({ rgb }) => {
    const r = estimateScale(rgb(), W, H);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toMatch(new RegExp(`^${NO_RED_CELLS.replace(/[()]/g, '\\$&')}`));
  });

  it('BAD CALL - a buffer of the wrong size', () => {
    expect(() => estimateScale(new Uint8Array(5), W, H)).toThrow(/expected 921600 RGB bytes for 640x480, got 5/);
  });
});

// BCCD test fields: the full split when present, else the demo slide's 20 (demo/); 12 are used.
const root = BCCD_TEST_ROOT;

describe('estimateScale on rescaled BCCD test fields', () => {
  let fields: RbcField[] = [];
  const load = async () => {
    if (fields.length === 0) {
      const ids = (await splitIds(root, 'test')).slice(0, 12);
      fields = await Promise.all(ids.map((id) => loadRbcField(root, id)));
    }
    return fields;
  };
  // Per magnification: 12 frames (mosaics of test fields below x1, corner crops above), against
  // magnification x the median annotated RBC box. Single fields hold 10-20 red cells, so a
  // frame's error can be large at x1 and above; the median over the frames must be close.
  const mags: { mag: number; maxMedianError: number; maxRefused: number }[] = [
    // about 25 px red cells, 16 fields per frame
    { mag: 0.25, maxMedianError: 0.1, maxRefused: 0 },
    { mag: 0.6, maxMedianError: 0.12, maxRefused: 0 },
    // BCCD itself
    { mag: 1, maxMedianError: 0.15, maxRefused: 2 },
    // few cells per frame (a quarter of a field)
    { mag: 1.5, maxMedianError: 0.2, maxRefused: 4 },
  ];
  it.each(mags)('x$mag', async ({ mag, maxMedianError, maxRefused }) => {
    const fs = await load();
    const errors: number[] = [];
    let refused = 0;
    for (let i = 0; i < fs.length; i++) {
      const per = mag < 1 ? Math.ceil(640 / Math.round(640 * mag)) * Math.ceil(480 / Math.round(480 * mag)) : 1;
      const group = Array.from({ length: per }, (_, k) => fs[(i + k) % fs.length]);
      const frame = mag === 1 ? { ...fs[i], expectedDiameterPx: median(fs[i].rbcSizes) } : await rescaledFrame(group, mag, 640, 480, i % 4);
      const r = estimateScale(frame.rgb, frame.width, frame.height);
      if (r.ok) errors.push(r.estimate.rbcDiameterPx / frame.expectedDiameterPx - 1);
      else refused++;
    }
    expect(refused).toBeLessThanOrEqual(maxRefused);
    expect(Math.abs(median(errors))).toBeLessThan(maxMedianError);
    // No wild scale: every estimate within a factor 1.7 of the truth.
    for (const e of errors) expect(Math.abs(Math.log(1 + e))).toBeLessThan(Math.log(1.7));
  });
});
