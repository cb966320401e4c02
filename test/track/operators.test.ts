import sharp from 'sharp';
import { TestScheduler } from 'rxjs/testing';
import { firstValueFrom, map, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import type { LiveEvent } from '../../src/pipeline/live-types.js';
import { countCells } from '../../src/track/count-cells.js';
import { countLive } from '../../src/track/count-live.js';
import { encodeCropJpeg, encodeCrops } from '../../src/track/encode-crops.js';
import type { FrameWithDetections } from '../../src/track/slide-counter.js';
import type { CountUpdate } from '../../src/track/types.js';
import { blobCanvas, view } from './synthetic.js';
import { detections } from './script.js';

const canvas = blobCanvas(1200, 900, 3);
// A scripted scan over the synthetic canvas: frames move 8 px per frame; one cell at slide-frame (100..160, 80..140) of frame 0.
const frameAt = (seq: number): FrameWithDetections => {
  const x = 200 + seq * 8;
  const frame = view(canvas, seq, x, 200, 400, 300);
  // the cell is fixed on the canvas at canvas (300..360, 280..340): frame coordinates depend on the pose
  const det = detections([[300 - x + 0, 280 - 200, 360 - x, 340 - 200, 'NEU', 0.9]], [0, 0]);
  return { frame, detections: det };
};

describe('countCells operator', () => {
  it('emits one update per input, counts the cell once, completes with the source', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const inputs = { a: frameAt(0), b: frameAt(1), c: frameAt(2), d: frameAt(3), e: frameAt(4) };
      const source = cold('a-b-c-d-e|', inputs);
      const totals = source.pipe(countCells(), map((u) => u.frame.differential.total));
      expectObservable(totals).toBe('a-b-c-d-e|', { a: 0, b: 0, c: 1, d: 1, e: 1 });
      expectSubscriptions(source.subscriptions).toBe('^--------!');
    });
  });

  it('unsubscribing stops the source', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b-c-d|', { a: frameAt(0), b: frameAt(1), c: frameAt(2), d: frameAt(3) });
      expectObservable(source.pipe(countCells(), map((u) => u.frame.frame.seq)), '^--!').toBe('a-b', { a: 0, b: 1 });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('each subscription has its own slide map', async () => {
    const src = of(frameAt(0), frameAt(1), frameAt(2));
    const op = src.pipe(countCells(), map((u) => u.frame.differential.total), toArray());
    expect(await firstValueFrom(op)).toEqual([0, 0, 1]);
    expect(await firstValueFrom(op)).toEqual([0, 0, 1]);
  });

  it('LATE FRAME - a detection for a frame no longer remembered is an error naming the frame', async () => {
    const still = frameAt(0).frame;
    const frames = Array.from({ length: 70 }, (_, i) => ({ frame: { ...still, seq: i }, detections: null }));
    const late = frameAt(0);
    await expect(firstValueFrom(of(...frames, late).pipe(countCells(), toArray()))).rejects.toThrow(
      'SlideCounter: frame 0 is older than the last 64 registered frames (latest 69)',
    );
  });
});

describe('countLive operator', () => {
  it('registers every frame event and places later detections with their frame pose', () => {
    new TestScheduler((a, b) => expect(a).toEqual(b)).run(({ cold, expectObservable, expectSubscriptions }) => {
      const ev = (seq: number, det: boolean): LiveEvent => {
        const f = frameAt(seq);
        return det
          ? { type: 'detections', frame: f.frame, detections: f.detections!, timing: { arrivalMs: 0, startedMs: 0, publishedMs: 0, latencyMs: 0, detectMs: 0 } }
          : { type: 'frame', frame: f.frame, sentToDetector: seq % 2 === 0 };
      };
      // frame 0, frame 1, detections of 0 (late), frame 2, detections of 2, frame 3, frame 4, detections of 4, a health event
      const values: Record<string, LiveEvent> = {
        a: ev(0, false), b: ev(1, false), A: ev(0, true), c: ev(2, false), C: ev(2, true), d: ev(3, false), e: ev(4, false), E: ev(4, true),
        h: { type: 'health', health: { type: 'fps', source: 'x', fps: 10, atMs: 0 } },
      };
      const source = cold<LiveEvent>('a-b-A-c-C-d-e-E-h|', values);
      const out = source.pipe(countLive(), map((u: CountUpdate) => `${u.frame.frame.seq}${u.frame.detected ? 'd' : ''}:${u.frame.differential.total}`));
      expectObservable(out).toBe('a-b-A-c-C-d-e-E--|', { a: '0:0', b: '1:0', A: '0d:0', c: '2:0', C: '2d:0', d: '3:0', e: '4:0', E: '4d:1' });
      expectSubscriptions(source.subscriptions).toBe('^----------------!');
    });
  });
});

describe('encodeCrops', () => {
  it('replaces RGB crops of counted cells by JPEGs that decode to the same size', async () => {
    const updates = Array.from({ length: 5 }, (_, i) => frameAt(i));
    const out = await firstValueFrom(of(...updates).pipe(countCells(), encodeCrops(), toArray()));
    const counted = out.flatMap((u) => u.events).filter((e) => e.kind === 'cell-counted');
    expect(counted).toHaveLength(1);
    const crop = counted[0].kind === 'cell-counted' ? counted[0].crop : null;
    expect(crop?.format).toBe('jpeg');
    const meta = await sharp(Buffer.from(crop!.data)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 60, 60]);
  });

  it('EMPTY CROP - refuses a zero-size crop, naming the frame', async () => {
    await expect(encodeCropJpeg({ format: 'rgb24', width: 0, height: 10, data: new Uint8Array(0), seq: 12 })).rejects.toThrow('encodeCropJpeg: empty crop from frame 12');
  });
});
