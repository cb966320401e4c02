import { describe, expect, it } from 'vitest';
import { concat, filter, firstValueFrom, from, lastValueFrom, map, of, take, timer, toArray } from 'rxjs';
import { ffmpegChildrenExited, runningFfmpegCount } from '../../src/capture/ffmpeg-frames.js';
import type { CaptureEvent } from '../../src/capture/health.js';
import { emptyDetections, type DetectionsXyxyPixels } from '../../src/core/detections.js';
import type { Frame } from '../../src/core/frame.js';
import type { ModelCard } from '../../src/core/model-card.js';
import { livePipeline } from '../../src/pipeline/live-pipeline.js';
import type { LiveEvent } from '../../src/pipeline/live-types.js';
import { tinyFrame } from './helpers.js';

const card = { colourReference: { labMean: [70, 10, -10], labStd: [10, 8, 8], backgroundRgb: [230, 200, 190] } } as unknown as ModelCard;

/** A FAKE detector for tests: waits `ms`, returns no boxes, records what it saw. */
function fakeDetector(ms: number) {
  const seen: number[] = [];
  return {
    seen,
    card,
    async detect(frame: Frame): Promise<DetectionsXyxyPixels> {
      seen.push(frame.seq);
      await new Promise((r) => setTimeout(r, ms));
      return emptyDetections(frame.width, frame.height, ['NEU']);
    },
  };
}

function fakeCapture(frames: number, everyMs: number) {
  const events: CaptureEvent[] = [{ kind: 'health', health: { type: 'connected', source: 'fake:', attempt: 0, atMs: Date.now() } }];
  return concat(
    from(events),
    timer(0, everyMs).pipe(
      take(frames),
      map((i): CaptureEvent => ({ kind: 'frame', frame: tinyFrame(i, Date.now(), [200, 150, 160]) })),
    ),
  );
}

describe('livePipeline', () => {
  it('emits every frame in order, detections for the frames sent to the detector, health, and a final metrics snapshot', async () => {
    const detector = fakeDetector(25);
    const events = await lastValueFrom(livePipeline({ source: 'fake:', detector, events: fakeCapture(12, 10), metrics: { intervalMs: 10_000 } }).pipe(toArray()));
    const frames = events.filter((e): e is Extract<LiveEvent, { type: 'frame' }> => e.type === 'frame');
    const dets = events.filter((e): e is Extract<LiveEvent, { type: 'detections' }> => e.type === 'detections');
    expect(events[0]).toMatchObject({ type: 'health', health: { type: 'connected' } });
    expect(frames.map((f) => f.frame.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11]);
    const sent = frames.filter((f) => f.sentToDetector).map((f) => f.frame.seq);
    expect(sent).toEqual(detector.seen);
    expect(dets.map((d) => d.frame.seq)).toEqual(sent);
    // The detector is busy for 25 ms and frames come every 10 ms: some must be skipped.
    expect(sent.length).toBeLessThan(12);
    expect(sent.length).toBeGreaterThan(1);
    for (const d of dets) {
      expect(d.timing.latencyMs).toBeGreaterThanOrEqual(d.timing.detectMs);
      expect(d.timing.detectMs).toBeGreaterThanOrEqual(20);
    }
    const last = events.at(-1);
    expect(last?.type).toBe('metrics');
    if (last?.type === 'metrics') {
      expect(last.metrics.framesIn).toBe(12);
      expect(last.metrics.framesDetected).toBe(sent.length);
      expect(last.metrics.framesSkipped).toBe(12 - sent.length);
    }
  });

  it('normalises colour before the detector unless normalise is false', async () => {
    const run = async (normalise: false | undefined) => {
      const seen: Uint8Array[] = [];
      const detector = { card, detect: async (f: Frame) => (seen.push(f.rgb), emptyDetections(f.width, f.height, [])) };
      const input = tinyFrame(0, 0, [200, 150, 160]);
      await lastValueFrom(livePipeline({ source: 'fake:', detector, events: of<CaptureEvent>({ kind: 'frame', frame: input }), normalise, metrics: false }).pipe(toArray()));
      return { input, seen: seen[0] };
    };
    const off = await run(false);
    expect(off.seen).toBe(off.input.rgb);
    const on = await run(undefined);
    expect(on.seen).not.toBe(on.input.rgb);
    expect(Array.from(on.seen)).not.toEqual(Array.from(on.input.rgb));
  });

  it('BAD DETECTOR - a failing detector ends the pipeline with its error', async () => {
    const detector = { card, detect: async (): Promise<DetectionsXyxyPixels> => Promise.reject(new Error('detector worker exited unexpectedly (code 1)')) };
    await expect(lastValueFrom(livePipeline({ source: 'fake:', detector, events: fakeCapture(3, 5), metrics: false }))).rejects.toThrow(
      'detector worker exited unexpectedly (code 1)',
    );
  });

  it('runs on real ffmpeg (test:testsrc2) and unsubscribing ends ffmpeg', async () => {
    const detector = fakeDetector(15);
    const pipeline = livePipeline({ source: 'test:testsrc2', detector, capture: { width: 160, height: 120, fps: 30 }, metrics: false });
    const dets = await firstValueFrom(
      pipeline.pipe(
        filter((e) => e.type === 'detections'),
        take(5),
        toArray(),
      ),
    );
    expect(dets).toHaveLength(5);
    for (const d of dets) {
      if (d.type !== 'detections') continue;
      expect(d.frame.width).toBe(160);
      expect(d.frame.rgb.length).toBe(160 * 120 * 3);
    }
    await ffmpegChildrenExited();
    expect(runningFfmpegCount()).toBe(0);
  });
});

