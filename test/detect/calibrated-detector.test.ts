import { describe, expect, it } from 'vitest';
import { CalibratedDetector } from '../../src/detect/calibrated-detector.js';
import type { CalibrationReading, FrameCalibrator } from '../../src/detect/calibration-state.js';
import { scaleFromUmPerPx, trainingScaleOf } from '../../src/detect/calibration-state.js';
import type { Frame } from '../../src/core/frame.js';
import { scaleOf, testProfile } from './profile-fixture.js';
import { BlobDetector, type Box, frameWithCells } from './tiling/fake-cells.js';

const TRAIN = { rbcDiameterPx: 81.6, source: 'test' };
const scale = scaleOf;

/** A calibrator that reports what the test sets, and counts the frames it saw. */
class ScriptedCalibrator implements FrameCalibrator {
  observed: number[] = [];
  resets = 0;
  current: CalibrationReading = { status: 'calibrating', scale: null, field: { kind: 'full' }, colour: null, message: null };
  observe(frame: Frame): void {
    this.observed.push(frame.seq);
  }
  reset(): void {
    this.resets++;
  }
}

const boxes = (d: { boxes: Float32Array }) => Array.from({ length: d.boxes.length / 4 }, (_, i) => Array.from(d.boxes.subarray(i * 4, i * 4 + 4)));
const sorted = (b: readonly (readonly number[])[]) => [...b].map((x) => [...x]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);

describe('CalibratedDetector', () => {
  // x0.4 of BCCD: red cells 40.8 px, leukocytes ~75 px, cells everywhere including on seams
  const cells: Box[] = [];
  for (let y = 10; y + 75 < 480; y += 95) for (let x = 5; x + 75 < 640; x += 101) cells.push([x, y, x + 75, y + 75]);
  const frame = frameWithCells(640, 480, cells);

  it("'off' is today's detector exactly: one call, the frame as given", async () => {
    const inner = new BlobDetector();
    const d = new CalibratedDetector({ inner, mode: 'off', trainingScale: TRAIN });
    const out = await d.detect(frame);
    expect(inner.seen).toEqual([{ width: 640, height: 480 }]);
    expect(sorted(boxes(out))).toEqual(sorted(cells));
    expect(d.calibration).toMatchObject({ mode: 'off', status: 'off', scale: null, scaleOverridden: false, plan: null });
  });

  it("'off' with --um-per-px: that scale only (no mask, no colour)", async () => {
    const inner = new BlobDetector();
    const d = new CalibratedDetector({ inner, mode: 'off', umPerPx: 7.5 / 40.8, trainingScale: TRAIN });
    const out = await d.detect(frame);
    expect(inner.seen).toHaveLength(20);
    expect(sorted(boxes(out))).toEqual(sorted(cells));
    expect(d.calibration).toMatchObject({ mode: 'off', status: 'fixed', scaleOverridden: true, field: { kind: 'full' }, colour: null });
  });

  it('tiled detections map back to the right frame pixels (x0.4: 20 tiles)', async () => {
    const inner = new BlobDetector();
    const cal = new ScriptedCalibrator();
    cal.current = { ...cal.current, status: 'calibrated', scale: scale(40.8) };
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: cal, trainingScale: TRAIN });
    const out = await d.detect(frame);
    expect(inner.seen).toHaveLength(20);
    expect(inner.seen.every((s) => s.width === 256 && s.height === 192)).toBe(true);
    expect([out.imageWidth, out.imageHeight]).toEqual([640, 480]);
    expect(sorted(boxes(out))).toEqual(sorted(cells));
    expect(d.calibration.plan).toEqual({ mode: 'resample', tiles: 20, cols: 4, rows: 5, factor: 2 });
  });

  it("at BCCD's scale the frame goes through as today (one stretched input)", async () => {
    const inner = new BlobDetector();
    const cal = new ScriptedCalibrator();
    cal.current = { ...cal.current, status: 'calibrated', scale: scale(104) };
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: cal, trainingScale: TRAIN });
    await d.detect(frame);
    expect(inner.seen).toEqual([{ width: 640, height: 480 }]);
    expect(d.calibration.plan?.mode).toBe('stretch');
  });

  it('a higher magnification is one padded tile, boxes back in frame px', async () => {
    const big: Box[] = [[100, 100, 380, 380]];
    const inner = new BlobDetector();
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: Object.assign(new ScriptedCalibrator(), { current: { status: 'calibrated', scale: scale(153), field: { kind: 'full' }, colour: null, message: null } }), trainingScale: TRAIN });
    const out = await d.detect(frameWithCells(640, 480, big));
    expect(inner.seen).toEqual([{ width: 960, height: 720 }]);
    expect(boxes(out)).toEqual([[100, 100, 380, 380]]);
  });

  it('sees only the field of view: outside it is painted background, boxes clipped to it', async () => {
    const inner = new BlobDetector();
    const cal = new ScriptedCalibrator();
    const field = { kind: 'rect' as const, x0: 100, y0: 100, x1: 500, y1: 400 };
    cal.current = { status: 'calibrated', scale: scale(102), field, colour: null, message: null };
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: cal, trainingScale: TRAIN });
    const out = await d.detect(frame);
    const inside = cells
      .map(([x1, y1, x2, y2]) => [Math.max(x1, field.x0), Math.max(y1, field.y0), Math.min(x2, field.x1), Math.min(y2, field.y1)])
      .filter(([x1, y1, x2, y2]) => x2 > x1 && y2 > y1);
    expect(inside.length).toBeLessThan(cells.length);
    expect(sorted(boxes(out))).toEqual(sorted(inside));
  });

  it('a low-confidence scale estimate is not acted on: the frame goes through as today', async () => {
    const inner = new BlobDetector();
    const cal = new ScriptedCalibrator();
    cal.current = { ...cal.current, status: 'calibrated', scale: { ...scale(40.8), confidence: 0.3 } };
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: cal, trainingScale: TRAIN });
    await d.detect(frame);
    expect(inner.seen).toEqual([{ width: 640, height: 480 }]);
    expect(d.calibration.plan?.mode).toBe('stretch');
  });

  it('--um-per-px overrides the calibrator scale', async () => {
    const inner = new BlobDetector();
    const cal = new ScriptedCalibrator();
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: cal, umPerPx: 7.5 / 40.8, trainingScale: TRAIN });
    await d.detect(frame);
    expect(inner.seen).toHaveLength(20);
    expect(d.calibration).toMatchObject({ status: 'calibrated', scaleOverridden: true, scale: { method: 'override' } });
  });

  it('auto: the calibrator sees every Nth frame; recalibrate resets it', async () => {
    const cal = new ScriptedCalibrator();
    const d = new CalibratedDetector({ inner: new BlobDetector(), mode: 'auto', calibrator: cal, observeEvery: 3, trainingScale: TRAIN });
    for (let i = 0; i < 7; i++) await d.detect({ ...frame, seq: i });
    expect(cal.observed).toEqual([0, 3, 6]);
    d.recalibrate();
    expect(cal.resets).toBe(1);
    await d.detect({ ...frame, seq: 7 });
    expect(cal.observed).toEqual([0, 3, 6, 7]);
  });

  it('liveCalibration: the live pipeline feeds the calibrator; with observeEvery 0 detect() does not', async () => {
    const cal = new ScriptedCalibrator();
    cal.current = { ...cal.current, status: 'calibrated', scale: scale(102), colour: { wbGains: [1, 1, 2], stain: null } };
    const d = new CalibratedDetector({ inner: new BlobDetector(), mode: 'auto', calibrator: cal, observeEvery: 0, trainingScale: TRAIN });
    await d.detect(frame);
    expect(cal.observed).toEqual([]);
    d.liveCalibration.observe({ ...frame, seq: 5 });
    expect(cal.observed).toEqual([5]);
    expect(d.liveCalibration.colour()).toEqual({ wbGains: [1, 1, 2], stain: null });
  });

  it('profile: a fixed calibration; a frame of another size is refused naming the file', async () => {
    const profile = testProfile({}, 40.8);
    const inner = new BlobDetector();
    const d = new CalibratedDetector({ inner, mode: 'profile', profile, profilePath: 'cam.json', trainingScale: TRAIN });
    const out = await d.detect(frame);
    expect(sorted(boxes(out))).toEqual(sorted(cells));
    expect(d.calibration.status).toBe('fixed');
    await expect(d.detect(frameWithCells(320, 240, []))).rejects.toThrow('frame 320x240 differs from the 640x480 profile cam.json was measured at');
  });

  it('applies the colour transform before detecting when given one', async () => {
    const inner = new BlobDetector();
    const cal = new ScriptedCalibrator();
    cal.current = { status: 'calibrated', scale: scale(102), field: { kind: 'full' }, colour: { wbGains: [1, 1, 1], stain: null }, message: null };
    let applied = 0;
    const d = new CalibratedDetector({
      inner,
      mode: 'auto',
      calibrator: cal,
      trainingScale: TRAIN,
      applyColour: (img) => {
        applied++;
        return { ...img, rgb: new Uint8Array(img.rgb.length) }; // black: no blue blobs left
      },
    });
    const out = await d.detect(frame);
    expect(applied).toBe(1);
    expect(out.scores.length).toBe(0);
  });

  it('BAD CALL - auto without a calibrator, profile without a profile', () => {
    expect(() => new CalibratedDetector({ inner: new BlobDetector(), mode: 'auto' })).toThrow("calibration 'auto' needs a calibrator");
    expect(() => new CalibratedDetector({ inner: new BlobDetector(), mode: 'profile' })).toThrow("calibration 'profile' needs a profile");
  });

  it('release() releases the inner detector', async () => {
    const inner = new BlobDetector();
    await new CalibratedDetector({ inner, mode: 'off' }).release();
    expect(inner.released).toBe(true);
  });
});

describe('calibration-state helpers', () => {
  it('scaleFromUmPerPx: 7.5 µm red cells', () => {
    expect(scaleFromUmPerPx(0.075).rbcDiameterPx).toBeCloseTo(100, 9);
    expect(() => scaleFromUmPerPx(0)).toThrow(/positive/);
  });
  it("trainingScaleOf: the card's field, else the BCCD fallback at the card's input width", () => {
    expect(trainingScaleOf({ input: { width: 512, height: 384 }, trainingScale: { rbcDiameterPx: 80, source: 'x' } }).rbcDiameterPx).toBe(80);
    expect(trainingScaleOf({ input: { width: 512, height: 384 } }).rbcDiameterPx).toBeCloseTo(81.6, 9);
  });
});

/** The blob detector, reporting every blob as a red cell (the ruler's input). */
class RbcBlobDetector extends BlobDetector {
  override async detect(frame: Frame) {
    const d = await super.detect(frame);
    return { ...d, classIds: new Int32Array(d.scores.length).fill(d.classNames.indexOf('RBC')) };
  }
}

describe('CalibratedDetector: the detected red cells as a ruler', () => {
  // x0.5 of BCCD: red cells 51 px, spread over the frame
  const rbcs: Box[] = [];
  for (let y = 20; y + 51 < 460; y += 90) for (let x = 20; x + 51 < 620; x += 90) rbcs.push([x, y, x + 51, y + 51]);
  const frame = frameWithCells(640, 480, rbcs);
  const wrong = (): ScriptedCalibrator => Object.assign(new ScriptedCalibrator(), { current: { status: 'calibrated', scale: scale(102), field: { kind: 'full' }, colour: null, message: null } });

  it('per image: an estimate at BCCD scale on a x0.5 frame is corrected, and the frame detected again at the measured scale', async () => {
    const inner = new RbcBlobDetector();
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: wrong(), perImage: true, trainingScale: TRAIN });
    const out = await d.detect(frame);
    expect(inner.seen[0]).toEqual({ width: 640, height: 480 }); // first pass: the estimate's plan (stretch)
    expect(inner.seen.length).toBeGreaterThan(1); // then tiles at x1.6
    expect(d.calibration.plan?.mode).toBe('resample');
    expect(d.calibration.plan?.factor).toBeCloseTo(81.6 / 51, 1);
    expect(d.calibration.scale).toMatchObject({ method: 'detector-rbc', rbcCount: rbcs.length });
    expect(d.calibration.scale!.rbcDiameterPx).toBeCloseTo(51, 6);
    expect(sorted(boxes(out))).toEqual(sorted(rbcs));
  });

  it('per image: red cells that agree with the estimate cost no second pass', async () => {
    const inner = new RbcBlobDetector();
    const cal = Object.assign(new ScriptedCalibrator(), { current: { status: 'calibrated', scale: scale(55), field: { kind: 'full' }, colour: null, message: null } });
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: cal, perImage: true, trainingScale: TRAIN });
    await d.detect(frame);
    const first = inner.seen.length;
    expect(d.calibration.plan?.mode).toBe('resample');
    expect(inner.seen).toHaveLength(first); // one plan's tiles only
    expect(d.calibration.scale!.rbcDiameterPx).toBeCloseTo(51, 6);
  });

  it('no red cells found: the calibration core\'s estimate stays (no wild scale)', async () => {
    const inner = new BlobDetector(); // reports leukocytes only
    const d = new CalibratedDetector({ inner, mode: 'auto', calibrator: wrong(), perImage: true, trainingScale: TRAIN });
    await d.detect(frame);
    expect(inner.seen).toEqual([{ width: 640, height: 480 }]);
    expect(d.calibration.scale).toMatchObject({ rbcDiameterPx: 102, method: 'test' });
  });

  it('live: the running median takes over after minFrames measured frames, and recalibrate forgets it', async () => {
    const d = new CalibratedDetector({ inner: new RbcBlobDetector(), mode: 'auto', calibrator: wrong(), observeEvery: 0, trainingScale: TRAIN, ruler: { minFrames: 3 } });
    for (let i = 0; i < 2; i++) await d.detect({ ...frame, seq: i });
    expect(d.calibration.scale!.method).toBe('test');
    await d.detect({ ...frame, seq: 2 });
    expect(d.calibration.scale).toMatchObject({ method: 'detector-rbc' });
    expect(d.calibration.scale!.rbcDiameterPx).toBeCloseTo(51, 6);
    await d.detect({ ...frame, seq: 3 });
    expect(d.calibration.plan?.mode).toBe('resample'); // the next frames use it
    d.recalibrate();
    expect(d.calibration.scale!.method).toBe('test');
  });

  it('--um-per-px and ruler: false keep the scale they are given', async () => {
    const a = new CalibratedDetector({ inner: new RbcBlobDetector(), mode: 'auto', calibrator: wrong(), perImage: true, umPerPx: 7.5 / 102, trainingScale: TRAIN });
    await a.detect(frame);
    expect(a.calibration.scale!.method).toBe('override');
    const b = new CalibratedDetector({ inner: new RbcBlobDetector(), mode: 'auto', calibrator: wrong(), perImage: true, ruler: false, trainingScale: TRAIN });
    await b.detect(frame);
    expect(b.calibration.scale!.method).toBe('test');
  });
});
