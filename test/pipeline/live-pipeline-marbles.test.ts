import { describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import { map } from 'rxjs';
import type { CaptureEvent } from '../../src/capture/health.js';
import { emptyDetections, type DetectionsXyxyPixels } from '../../src/core/detections.js';
import type { Frame } from '../../src/core/frame.js';
import type { ModelCard } from '../../src/core/model-card.js';
import { livePipeline } from '../../src/pipeline/live-pipeline.js';
import type { LiveEvent } from '../../src/pipeline/live-types.js';
import { testScheduler, tinyFrame } from './helpers.js';

const card = { colourReference: { labMean: [70, 10, -10], labStd: [10, 8, 8], backgroundRgb: [230, 200, 190] } } as unknown as ModelCard;

function label(e: LiveEvent): string {
  switch (e.type) {
    case 'frame':
      return `${e.sentToDetector ? 'F' : 's'}${e.frame.seq}`;
    case 'detections':
      return `D${e.frame.seq}@${e.timing.latencyMs}/${e.timing.detectMs}`;
    case 'health':
      return e.health.type;
    case 'metrics':
      return `M${e.metrics.framesIn}/${e.metrics.framesSkipped}`;
  }
}

describe('livePipeline (marbles)', () => {
  it('health passes through, every frame is emitted, the detector takes frames only when free; unsubscribing stops capture and the detection in flight', () => {
    const log: string[] = [];
    const subs: Record<string, unknown> = {};
    const ts = testScheduler();
    ts.run(({ hot, cold }) => {
      const f = (seq: number, t: number): CaptureEvent => ({ kind: 'frame', frame: tinyFrame(seq, t) });
      const events = hot<CaptureEvent>('c-a-b-d-e-g-', {
        c: { kind: 'health', health: { type: 'connected', source: 't', attempt: 0, atMs: 0 } },
        a: f(0, 2),
        b: f(1, 4),
        d: f(2, 6),
        e: f(3, 8),
        g: f(4, 10),
      });
      subs.events = events.subscriptions;
      // A FAKE detector answering after 3 frames of virtual time (an Observable, which from() accepts).
      const detector = {
        card,
        detect: (frame: Frame) => {
          const answer = cold('---(r|)', { r: emptyDetections(2, 2, []) });
          subs[`detect${frame.seq}`] = answer.subscriptions;
          return answer as unknown as Promise<DetectionsXyxyPixels>;
        },
      };
      const out: Observable<string> = livePipeline({ source: 't', detector, events, normalise: false, metrics: false }).pipe(map(label));
      const sub = out.subscribe((v) => log.push(`${ts.now()}:${v}`));
      ts.schedule(() => sub.unsubscribe(), 7);
    });
    expect(log).toEqual([
      '0:connected',
      '2:F0', // frame 0 goes to the idle detector
      '4:s1', // frame 1 arrives while it is busy: skipped, still emitted
      '5:D0@3/3', // frame 0's detections: latency 3 (arrival 2 -> 5), detect time 3
      '6:F2', // frame 2 goes to the detector; unsubscribed at 7
    ]);
    expect(subs.events).toEqual([expect.objectContaining({ subscribedFrame: 0, unsubscribedFrame: 7 })]);
    expect(subs.detect2).toEqual([expect.objectContaining({ subscribedFrame: 6, unsubscribedFrame: 7 })]);
    expect(subs.detect1).toBeUndefined();
  });
});
