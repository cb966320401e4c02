import { describe, expect, it } from 'vitest';
import { type Observable, map, of, throwError } from 'rxjs';
import { detectLatest } from '../../src/pipeline/operators/detect-latest.js';
import { testScheduler } from './helpers.js';

describe('detectLatest', () => {
  it('sends a frame to an idle detector, skips and counts frames that arrive while it is busy, and emits every frame', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      // Each detection takes 3 frames of virtual time.
      const source = hot('  -a-b-c-d-e-f|');
      const detections: Record<string, ReturnType<typeof cold>> = {};
      const detect = (x: string) => (detections[x] = cold('---(r|)', { r: x.toUpperCase() }));
      const out = source.pipe(
        detectLatest(detect),
        map((e) => (e.kind === 'item' ? `${e.item}${e.sentToDetector ? '+' : '-'}${e.skippedTotal}` : `R${e.result}`)),
      );
      // a goes to the detector at 1, result at 4; b (3) skipped; c (5) sent, result at 8;
      // d (7) skipped; e (9) sent, result at 12; f (11) skipped; completion waits for e's result.
      expectObservable(out).toBe('-a-bAc-dCe-f(E|)', {
        a: 'a+0',
        b: 'b-1',
        A: 'RA',
        c: 'c+1',
        d: 'd-2',
        C: 'RC',
        e: 'e+2',
        f: 'f-3',
        E: 'RE',
      });
      expectSubscriptions(source.subscriptions).toBe('^-----------!');
    });
  });

  it('stamps startedMs and finishedMs with the scheduler clock', () => {
    testScheduler().run(({ cold, hot, expectObservable }) => {
      const out = hot('--a|').pipe(
        detectLatest(() => cold('-----(r|)', { r: 1 })),
        map((e) => (e.kind === 'result' ? `${e.startedMs}-${e.finishedMs}` : 'item')),
      );
      expectObservable(out).toBe('--i----(x|)', { i: 'item', x: '2-7' });
    });
  });

  it('works with a synchronous detector (never busy, nothing skipped)', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const out = hot('-a----b---|').pipe(
        detectLatest((x: string) => of(x)),
        map((e) => (e.kind === 'item' ? `${e.item}${e.skippedTotal}` : `R${e.result}`)),
      );
      expectObservable(out).toBe('-(aA)-(bB)|', { a: 'a0', A: 'Ra', b: 'b0', B: 'Rb' });
    });
  });

  it('unsubscribing cancels the detection in flight and unsubscribes the source', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-c-|');
      const inner = cold('-----(r|)', { r: 'R' });
      const out = source.pipe(
        detectLatest(() => inner),
        map((e) => (e.kind === 'item' ? e.item : e.result)),
      );
      expectObservable(out, '^---!').toBe('-a-b');
      expectSubscriptions(source.subscriptions).toBe('^---!');
      expectSubscriptions(inner.subscriptions).toBe('-^--!');
    });
  });

  it('BAD DETECTOR - a detection error is passed on and ends the stream', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b|');
      const out = source.pipe(
        detectLatest((): Observable<never> => throwError(() => new Error('detector worker exited unexpectedly'))),
        map((e) => (e.kind === 'item' ? e.item : 'r')),
      );
      expectObservable(out).toBe('-(a#)', { a: 'a' }, new Error('detector worker exited unexpectedly'));
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('accepts a Promise-returning detector', async () => {
    const { lastValueFrom, toArray, from } = await import('rxjs');
    const events = await lastValueFrom(from([1, 2, 3]).pipe(detectLatest(async (x: number) => x * 10), toArray()));
    // All three arrive synchronously while the first Promise is pending: 2 and 3 are skipped.
    expect(events.map((e) => (e.kind === 'item' ? `i${e.item}${e.sentToDetector ? '+' : '-'}` : `r${e.result}`))).toEqual(['i1+', 'i2-', 'i3-', 'r10']);
  });
});
