/**
 * Calibration on the wire and in the scan session: the 'recalibrate' command is validated like the
 * others (operator only), health.pipeline.calibration is validated, and PipelineScanSession reads
 * the detector's calibration into health with the metrics and restarts it on 'recalibrate'.
 */
import { describe, expect, it } from 'vitest';
import { Observable, type Subscriber } from 'rxjs';
import type { LiveEvent } from '../../src/pipeline/live-types.js';
import { CalibratedDetector } from '../../src/detect/calibrated-detector.js';
import { calibrationHealth } from '../../src/stream/calibration-health.js';
import { PipelineScanSession } from '../../src/app/pipeline-session.js';
import { type CalibrationHealth, PROTOCOL_VERSION, parseClientMessage, parseServerMessage, roleAllows } from '../../src/stream/protocol.js';
import type { SessionEvent } from '../../src/stream/session.js';
import { validateServeSource } from '../../src/stream/sources.js';
import { BlobDetector, frameWithCells } from '../detect/tiling/fake-cells.js';

const CAL: CalibrationHealth = { status: 'calibrated', umPerPx: 0.11, rbcCount: 412, scaleOverridden: false, field: 'circle', colourCalibrated: true, tiles: 4, message: null };

describe('protocol: recalibrate and health.pipeline.calibration', () => {
  it('recalibrate parses, and needs the operator', () => {
    expect(parseClientMessage(JSON.stringify({ v: PROTOCOL_VERSION, type: 'recalibrate' })).ok).toBe(true);
    expect(roleAllows('viewer', 'recalibrate')).toBe(false);
    expect(roleAllows('operator', 'recalibrate')).toBe(true);
  });
  it('BAD MESSAGE - recalibrate takes no fields', () => {
    expect(parseClientMessage(JSON.stringify({ v: PROTOCOL_VERSION, type: 'recalibrate', objective: 40 })).ok).toBe(false);
  });
  const health = (calibration: unknown) =>
    JSON.stringify({
      v: PROTOCOL_VERSION,
      type: 'health',
      source: { uri: 'sim:', state: 'running', fps: 10, message: null },
      pipeline: { fps: 10, detectFps: 5, detectMs: 80, droppedFrames: 3, stagePace: null, ...(calibration === undefined ? {} : { calibration }) },
    });
  it('health with and without a calibration parses', () => {
    expect(parseServerMessage(health(CAL)).ok).toBe(true);
    expect(parseServerMessage(health(null)).ok).toBe(true);
    expect(parseServerMessage(health(undefined)).ok).toBe(true);
  });
  it('BAD MESSAGE - a negative scale, an unknown status', () => {
    expect(parseServerMessage(health({ ...CAL, umPerPx: -1 })).ok).toBe(false);
    expect(parseServerMessage(health({ ...CAL, status: 'guessing' })).ok).toBe(false);
  });
});

describe('calibrationHealth', () => {
  it("maps the detector's calibration (x0.4: 20 tiles) onto the wire", async () => {
    const d = new CalibratedDetector({ inner: new BlobDetector(), mode: 'off', umPerPx: 7.5 / 40.8, trainingScale: { rbcDiameterPx: 81.6, source: 't' } });
    await d.detect(frameWithCells(640, 480, []));
    const c = calibrationHealth(d.calibration);
    expect(c).toEqual({ status: 'fixed', umPerPx: 7.5 / 40.8, rbcCount: null, scaleOverridden: true, field: 'full', colourCalibrated: false, tiles: 20, message: null });
    expect(parseServerMessage(JSON.stringify({ v: PROTOCOL_VERSION, type: 'health', source: { uri: 's', state: 'running', fps: 1, message: null }, pipeline: { fps: 1, detectFps: 1, detectMs: 1, droppedFrames: 0, stagePace: null, calibration: c } })).ok).toBe(true);
  });
});

describe('PipelineScanSession calibration', () => {
  function setup(calibration?: { read(): CalibrationHealth | null; recalibrate(): void }) {
    const subs: Subscriber<LiveEvent>[] = [];
    const session = new PipelineScanSession({
      pipeline: () => new Observable<LiveEvent>((s) => void subs.push(s)),
      validateSource: validateServeSource,
      source: 'sim:',
      target: 100,
      store: null,
      ...(calibration ? { calibration } : {}),
    });
    const events: SessionEvent[] = [];
    session.events$.subscribe((e) => events.push(e));
    const metrics = () =>
      subs.at(-1)!.next({
        type: 'metrics',
        metrics: { atMs: 0, intervalMs: 1000, fpsIn: 8, fpsDetected: 8, framesIn: 8, framesDetected: 8, framesSkipped: 0, latencyP50Ms: 40, latencyP95Ms: 40, detectP50Ms: 40, detectP95Ms: 40, overheadP95Ms: 0 },
      });
    const lastHealth = () => events.filter((e): e is Extract<SessionEvent, { kind: 'health' }> => e.kind === 'health').at(-1)!.health;
    return { session, metrics, lastHealth };
  }

  it('reads the calibration into health with each metrics snapshot; recalibrate restarts it', async () => {
    let current: CalibrationHealth = CAL;
    let restarts = 0;
    const { session, metrics, lastHealth } = setup({ read: () => current, recalibrate: () => (restarts++, (current = { ...CAL, status: 'calibrating', umPerPx: null, rbcCount: null })) });
    await session.execute({ type: 'start' });
    metrics();
    expect(lastHealth().pipeline.calibration).toEqual(CAL);
    await session.execute({ type: 'recalibrate' });
    expect(restarts).toBe(1);
    expect(lastHealth().pipeline.calibration).toMatchObject({ status: 'calibrating', umPerPx: null });
    await session.close();
  });

  it('BAD COMMAND - recalibrate on a server that does not calibrate says so', async () => {
    const { session, metrics, lastHealth } = setup();
    await session.execute({ type: 'start' });
    metrics();
    expect(lastHealth().pipeline.calibration).toBeUndefined();
    await expect(session.execute({ type: 'recalibrate' })).rejects.toThrow('this server does not calibrate (--calibration off)');
    await session.close();
  });
});
