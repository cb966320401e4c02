import { describe, expect, it } from 'vitest';
import type { DetectionsXyxyPixels } from '../../src/core/detections.js';
import { DEVICE_PROFILES, applyDeviceProfile } from '../../src/colour/device-profiles.js';
import type { MetricsSnapshot } from '../../src/pipeline/metrics.js';
import { statusLine, statusLines, summariseDetections } from '../../src/cli/status-lines.js';
import { tinyFrame } from './helpers.js';

const dets = (classIds: number[]): DetectionsXyxyPixels => ({
  kind: 'xyxy-pixels',
  imageWidth: 10,
  imageHeight: 10,
  boxes: new Float32Array(classIds.length * 4),
  scores: new Float32Array(classIds.length).fill(0.9),
  classIds: Int32Array.from(classIds),
  classNames: ['NEU', 'LYM', 'MON', 'EOS', 'BAS', 'RBC', 'Platelets'],
});

const metrics: MetricsSnapshot = {
  atMs: 0,
  intervalMs: 1000,
  fpsIn: 29.97,
  fpsDetected: 4.5,
  framesIn: 300,
  framesDetected: 45,
  framesSkipped: 255,
  latencyP50Ms: 210.4,
  latencyP95Ms: 250.6,
  detectP50Ms: 200,
  detectP95Ms: 230,
  overheadP95Ms: 21,
};

describe('status lines', () => {
  it('summarises detections per class in class order', () => {
    expect(summariseDetections(dets([5, 0, 5, 6, 0, 5]))).toBe('NEU 2  RBC 3  Platelets 1');
    expect(summariseDetections(dets([]))).toBe('none');
  });

  it('renders the TTY block and the plain line', () => {
    const view = { source: 'test:testsrc2', provider: 'cpu', metrics, health: null, lastDetections: dets([1]) };
    expect(statusLines(view)).toEqual([
      'source test:testsrc2  [starting]  detector cpu',
      'fps in 30.0  detected 4.5  frames 300  detected 45  skipped 255',
      'latency p50 210 ms  p95 251 ms  (detect p50 200 ms p95 230 ms, overhead p95 21 ms)',
      'last detections: LYM 1',
    ]);
    expect(statusLine(view)).toBe(
      'fps_in=30.0 fps_detected=4.5 frames=300 detected=45 skipped=255 latency_p50_ms=210 latency_p95_ms=251 detect_p95_ms=230 overhead_p95_ms=21 last=LYM,1',
    );
    expect(statusLine({ ...view, metrics: null })).toBe('source test:testsrc2: starting');
  });
});

describe('device profiles', () => {
  it('the reference profile is the identity', () => {
    const f = tinyFrame(0, 0, [200, 120, 90]);
    expect(Array.from(applyDeviceProfile(f, DEVICE_PROFILES[0]).rgb)).toEqual(Array.from(f.rgb));
  });

  it.each([
    ['tungsten', (r: number, g: number, b: number) => r > b + 40],
    ['led-blue', (r: number, _g: number, b: number) => b > r + 15],
    ['dark-gamma', (r: number, g: number, b: number) => r + g + b < 190 + 150 + 170 - 90], // every channel darker
    ['desaturated', (r: number, g: number, b: number) => Math.max(r, g, b) - Math.min(r, g, b) < 60],
  ])('%s moves a mid grey-pink pixel the expected way', (name, check) => {
    const p = DEVICE_PROFILES.find((x) => x.name === name)!;
    const out = applyDeviceProfile(tinyFrame(0, 0, [190, 150, 170]), p).rgb;
    expect(check(out[0], out[1], out[2])).toBe(true);
  });

  it('has at least six degraded profiles', () => {
    expect(DEVICE_PROFILES.filter((p) => p.name !== 'reference').length).toBeGreaterThanOrEqual(6);
  });
});
