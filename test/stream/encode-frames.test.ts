import { describe, expect, it } from 'vitest';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import type { Frame } from '../../src/core/frame.js';
import { encodeFrames } from '../../src/stream/operators/encode-frames.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

const frame = (seq: number): Frame => ({ seq, timestampMs: seq, width: 2, height: 2, rgb: new Uint8Array(12) });
const FRAMES = { a: frame(1), b: frame(2), c: frame(3), d: frame(4) };

describe('encodeFrames', () => {
  it('encodes one frame at a time and, while busy, only the newest (latest wins), counting the skipped ones', () => {
    const skipped: number[] = [];
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-abcd------|', FRAMES);
      const out = source.pipe(
        encodeFrames({ maxFps: 0, encode: (f) => cold('---(e|)', { e: `E${f.seq}` }), onSkip: (f) => skipped.push(f.seq) }),
      );
      // a encodes 1..4; b, c arrive and are replaced; d (the newest) encodes 4..7.
      expectObservable(out).toBe('----a--d---|', { a: 'E1', d: 'E4' });
      expectSubscriptions(source.subscriptions).toBe('^----------!');
    });
    expect(skipped).toEqual([2, 3]);
  });

  it('throttles to maxFps with the last frame of a burst still encoded', () => {
    scheduler().run(({ hot, expectObservable }) => {
      // maxFps 100: at most one frame per 10 ms of virtual time.
      const source = hot('-ab-c 20ms |', FRAMES);
      const out = source.pipe(encodeFrames({ maxFps: 100, encode: (f) => [`E${f.seq}`] }));
      expectObservable(out).toBe('-a 9ms c 13ms |', { a: 'E1', c: 'E3' });
    });
  });

  it('encodes nothing while nobody watches', () => {
    let watching = false;
    scheduler().run(({ hot, expectObservable, cold }) => {
      const source = hot('-a-b-c|', FRAMES);
      cold('----x|').subscribe(() => (watching = true));
      expectObservable(source.pipe(encodeFrames({ maxFps: 0, encode: (f) => [`E${f.seq}`], wanted: () => watching }))).toBe('-----c|', { c: 'E3' });
    });
  });

  it('ENCODE FAILED - reports the frame and goes on with the next one', () => {
    const failed: string[] = [];
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source = hot('-a---b---|', FRAMES);
      const out = source.pipe(
        encodeFrames({
          maxFps: 0,
          encode: (f) => (f.seq === 1 ? cold('-#', undefined, new Error('jpeg encode failed')) : cold('-(e|)', { e: `E${f.seq}` })),
          onError: (f, err) => failed.push(`${f.seq}: ${(err as Error).message}`),
        }),
      );
      expectObservable(out).toBe('------b--|', { b: 'E2' });
    });
    expect(failed).toEqual(['1: jpeg encode failed']);
  });

  it('unsubscribing tears down the encode in flight and the source', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b---', FRAMES);
      const encode = cold('-----(e|)', { e: 'E' });
      const out = source.pipe(encodeFrames({ maxFps: 0, encode: () => encode }), map(String));
      expectObservable(out, '^--!').toBe('----');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectSubscriptions(encode.subscriptions).toBe('-^-!');
    });
  });
});
