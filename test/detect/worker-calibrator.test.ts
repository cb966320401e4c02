import { describe, expect, it } from 'vitest';
import { decodeImageFile } from '../../src/detect/image-decode.js';
import { WorkerCalibrator } from '../../src/detect/worker-calibrator.js';
import type { CalibrationState } from '../../src/calibration/calibrator.js';
import type { Frame } from '../../src/core/frame.js';
import { bccdImage, DEMO_DATA } from '../data.js';

const REF = { backgroundRgb: [204, 206, 200] as [number, number, number] };

function nextState(c: WorkerCalibrator): Promise<CalibrationState> {
  return new Promise((resolve) => (c.onState = resolve));
}

describe('WorkerCalibrator (the core Calibrator in a worker thread)', () => {
  it('measures off the event loop: a BCCD field gives a scale; frames sent while busy are skipped', async () => {
    const c = new WorkerCalibrator({ camera: 'test', reference: REF, warmupFrames: 1 });
    try {
      const frame = await decodeImageFile(bccdImage('BloodImage_00007', DEMO_DATA), 0);
      const got = nextState(c);
      c.observe(frame);
      c.observe({ ...frame, seq: 1 }); // still measuring the first
      expect(c.skipped).toBe(1);
      expect(c.current.status).toBe('calibrating'); // nothing back yet: observe() did not block
      const s = await got;
      expect(s.frames).toBe(1);
      expect(c.current.scale?.rbcDiameterPx).toBeGreaterThan(30);
      expect(c.current.colour).not.toBeNull();
    } finally {
      await c.release();
    }
  });
  it('a black frame: no scale, the reason; reset drops answers to frames sent before it', async () => {
    const c = new WorkerCalibrator({ camera: 'test', reference: REF, warmupFrames: 1 });
    try {
      const black: Frame = { seq: 0, timestampMs: 0, width: 64, height: 48, rgb: new Uint8Array(64 * 48 * 3) };
      const got = nextState(c);
      c.observe(black);
      await got;
      expect(c.current.scale).toBeNull();
      expect(c.current.message).toMatch(/cannot estimate scale/);
      c.observe({ ...black, seq: 1 });
      const afterReset = nextState(c);
      c.reset();
      expect(c.current.message).toBeNull();
      const s = await afterReset; // the reset's own answer, not frame 1's
      expect(s.frames).toBe(0);
    } finally {
      await c.release();
    }
  });
});
