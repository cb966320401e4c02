import { describe, expect, it } from 'vitest';
import { map } from 'rxjs';
import { emptyDetections } from '../../src/core/detections.js';
import type { LiveEvent } from '../../src/pipeline/live-types.js';
import { measureMetrics } from '../../src/pipeline/operators/measure-metrics.js';
import { tinyFrame, testScheduler } from './helpers.js';

const frame = (seq: number, sent: boolean): LiveEvent => ({ type: 'frame', frame: tinyFrame(seq), sentToDetector: sent });
const detected = (seq: number, latencyMs: number, detectMs: number): LiveEvent => ({
  type: 'detections',
  frame: tinyFrame(seq),
  detections: emptyDetections(2, 2, []),
  timing: { arrivalMs: 0, startedMs: latencyMs - detectMs, publishedMs: latencyMs, latencyMs, detectMs },
});

describe('measureMetrics', () => {
  it('passes events through and emits a snapshot every interval with fps, skipped and latency percentiles', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<LiveEvent>('-a-b-d 5ms c-e 39ms |', {
        a: frame(0, true),
        b: frame(1, false),
        d: detected(0, 30, 20),
        c: frame(2, true),
        e: detected(2, 50, 40),
      });
      const out = source.pipe(
        measureMetrics({ intervalMs: 10, latencyWindow: 8, rateIntervals: 1 }),
        map((e) =>
          e.type === 'metrics'
            ? `in=${e.metrics.fpsIn} det=${e.metrics.fpsDetected} n=${e.metrics.framesIn} skip=${e.metrics.framesSkipped} p50=${e.metrics.latencyP50Ms} p95=${e.metrics.latencyP95Ms} dp95=${e.metrics.detectP95Ms}`
            : e.type,
        ),
      );
      expectObservable(out).toBe('-a-b-d 4ms Mc-e 6ms N 9ms O 9ms P 9ms Q 2ms (R|)', {
        a: 'frame',
        b: 'frame',
        d: 'detections',
        M: 'in=200 det=100 n=2 skip=1 p50=30 p95=30 dp95=20',
        c: 'frame',
        e: 'detections',
        N: 'in=100 det=100 n=3 skip=1 p50=30 p95=50 dp95=40',
        O: 'in=0 det=0 n=3 skip=1 p50=30 p95=50 dp95=40',
        P: 'in=0 det=0 n=3 skip=1 p50=30 p95=50 dp95=40',
        Q: 'in=0 det=0 n=3 skip=1 p50=30 p95=50 dp95=40',
        R: 'in=0 det=0 n=3 skip=1 p50=30 p95=50 dp95=40',
      });
      expectSubscriptions(source.subscriptions).toBe('^ 52ms !');
    });
  });

  it('takes rates over the last rateIntervals intervals, so a detection slower than one interval does not read as 0 fps', () => {
    // one detection every 15 ms, snapshots every 10 ms: single intervals hold 1, 1, 0, 1, 1 detections
    const run = (rateIntervals: number, expected: Record<string, string>): void =>
      testScheduler().run(({ hot, expectObservable }) => {
        const d = detected(0, 30, 20);
        const source = hot<LiveEvent>('4ms d 14ms d 14ms d 14ms d 5ms |', { d });
        const out = source.pipe(
          measureMetrics({ intervalMs: 10, latencyWindow: 8, rateIntervals }),
          map((e) => (e.type === 'metrics' ? e.metrics.fpsDetected.toFixed(1) : e.type[0])),
        );
        expectObservable(out).toBe('4ms d 5ms A 8ms d B 9ms C 3ms d 5ms D 8ms d E 4ms (F|)', { d: 'd', ...expected });
      });
    run(1, { A: '100.0', B: '100.0', C: '0.0', D: '100.0', E: '100.0', F: '0.0' });
    // over 3 intervals: 2 detections in 30 ms once the window is full (the true rate, 66.7/s)
    run(3, { A: '100.0', B: '100.0', C: '66.7', D: '66.7', E: '66.7', F: '80.0' });
  });

  it('rejects a rate window that is not a positive whole number of intervals', async () => {
    const { PipelineMetrics } = await import('../../src/pipeline/metrics.js');
    expect(() => new PipelineMetrics({ latencyWindow: 4, rateIntervals: 0 }, 0)).toThrow(/rateIntervals/);
    expect(() => new PipelineMetrics({ latencyWindow: 4, rateIntervals: 1.5 }, 0)).toThrow(/rateIntervals/);
  });

  it('stops its timer and the source on unsubscribe', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<LiveEvent>('-a---', { a: frame(0, true) });
      const out = source.pipe(
        measureMetrics({ intervalMs: 2 }),
        map((e) => e.type[0]),
      );
      expectObservable(out, '^----!').toBe('-am-m', { a: 'f', m: 'm' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('keeps memory bounded: the latency window holds at most latencyWindow samples', async () => {
    const { SampleWindow } = await import('../../src/pipeline/metrics.js');
    const w = new SampleWindow(4);
    for (let i = 1; i <= 100; i++) w.add(i);
    expect(w.count).toBe(4);
    expect(w.percentile(50)).toBe(98);
    expect(w.percentile(95)).toBe(100);
    expect(w.percentile(0)).toBe(97);
    expect(Number.isNaN(new SampleWindow(3).percentile(50))).toBe(true);
  });
});
