/**
 * normaliseColourOffThread: the colour correction in a worker thread (REAL worker) gives the
 * same pixels, in the same order, as normaliseColour on this thread: white balance while there
 * is no calibration transform, then the transform (a new, equal object per frame as a live
 * calibration hands them over, then a new value); bounded; teardown terminates the worker.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Subject, from, lastValueFrom, toArray } from 'rxjs';
import { Worker } from 'node:worker_threads';
import type { Frame } from '../../src/core/frame.js';
import type { ColourTransform } from '../../src/calibration/types.js';
import { normaliseColour } from '../../src/pipeline/operators/normalise-colour.js';
import { normaliseColourOffThread } from '../../src/pipeline/operators/normalise-colour-off-thread.js';

const REF = { labMean: [70, 10, -10] as [number, number, number], labStd: [10, 8, 8] as [number, number, number], backgroundRgb: [230, 200, 190] as [number, number, number] };
const W = 96;
const H = 72;

/** A cast smear-like frame: a bright plasma with darker discs, seeded noise. */
function frame(seq: number): Frame {
  let s = 1000 + seq;
  const rand = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const rgb = new Uint8Array(W * H * 3);
  for (let i = 0; i < W * H; i++) {
    const cell = rand() < 0.2;
    rgb[i * 3] = (cell ? 170 : 225) + Math.floor(rand() * 10);
    rgb[i * 3 + 1] = (cell ? 110 : 215) + Math.floor(rand() * 10);
    rgb[i * 3 + 2] = (cell ? 140 : 180) + Math.floor(rand() * 10);
  }
  return { seq, timestampMs: 1000 + seq * 100, width: W, height: H, rgb };
}

/** Frames 0-3 without a transform, 4-7 with gains A (a new object each time), 8-9 with gains B. */
function transformFor(seq: number): ColourTransform | null {
  if (seq < 4) return null;
  return seq < 8 ? { wbGains: [0.9, 1, 1.1], stain: null } : { wbGains: [1.1, 1, 0.8], stain: null };
}

function run(operator: typeof normaliseColourOffThread, frames: Frame[]): Promise<Frame[]> {
  let i = 0;
  // asked once per frame as it arrives, in order
  const transform = () => transformFor(frames[i++].seq);
  // the frames come in one burst: all may wait for the worker
  return lastValueFrom(from(frames).pipe(operator(REF, { warmupFrames: 2, refreshEvery: 3 }, { transform, maxInFlight: frames.length }), toArray()));
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('normaliseColourOffThread', () => {
  it('gives the same pixels in the same order as normaliseColour, and completes after the last frame', async () => {
    const frames = Array.from({ length: 10 }, (_, seq) => frame(seq));
    const expected = await run(normaliseColour, frames);
    const got = await run(normaliseColourOffThread, frames);
    expect(got.map((f) => f.seq)).toEqual(frames.map((f) => f.seq));
    got.forEach((f, k) => {
      expect(f.timestampMs).toBe(expected[k].timestampMs);
      expect(Buffer.from(f.rgb).equals(Buffer.from(expected[k].rgb))).toBe(true);
    });
    // the correction did something: white balance, then each transform
    expect(Buffer.from(got[9].rgb).equals(Buffer.from(frames[9].rgb))).toBe(false);
    // the input frames are left as they were
    expect(Buffer.from(frames[0].rgb).equals(Buffer.from(frame(0).rgb))).toBe(true);
  });

  it('BOUNDED - a frame arriving while maxInFlight wait for the worker is left out', async () => {
    const source = new Subject<Frame>();
    const out: number[] = [];
    const done = lastValueFrom(source.pipe(normaliseColourOffThread(REF, {}, { maxInFlight: 2 }), toArray()));
    for (let seq = 0; seq < 5; seq++) source.next(frame(seq)); // a burst: the worker has answered none yet
    source.complete();
    for (const f of await done) out.push(f.seq);
    expect(out).toEqual([0, 1]);
  });

  it('TEARDOWN - unsubscribing terminates the worker and emits nothing more', async () => {
    const terminate = vi.spyOn(Worker.prototype, 'terminate');
    const source = new Subject<Frame>();
    const seen: number[] = [];
    const sub = source.pipe(normaliseColourOffThread(REF)).subscribe((f) => seen.push(f.seq));
    source.next(frame(0));
    sub.unsubscribe();
    expect(terminate).toHaveBeenCalledTimes(1);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
    expect(source.observed).toBe(false);
  });

  it('SOURCE ERROR - an error of the source is passed on', async () => {
    const source = new Subject<Frame>();
    const result = lastValueFrom(source.pipe(normaliseColourOffThread(REF)));
    source.error(new Error('camera gone'));
    await expect(result).rejects.toThrow('camera gone');
  });
});
