import { describe, expect, it } from 'vitest';
import { TestScheduler } from 'rxjs/testing';
import { exhaustMapLatest } from '../../src/pipeline/operators/exhaust-map-latest.js';

function scheduler(): TestScheduler {
  return new TestScheduler((actual, expected) => expect(actual).toEqual(expected));
}

describe('exhaustMapLatest', () => {
  it('projects the first value at once and only the latest value held while busy', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      // Each inner takes 3 frames ("encode time"), then emits the value's upper case.
      const source = hot('  -abc-------|');
      const sourceSubs = '  ^----------!';
      const expected = '    ----A--C---|';
      // b and c arrive while A is encoding: only c (the latest) is projected next.
      const result = source.pipe(exhaustMapLatest((v: string) => cold('---(x|)', { x: v.toUpperCase() })));
      expectObservable(result).toBe(expected);
      expectSubscriptions(source.subscriptions).toBe(sourceSubs);
    });
  });

  it('counts every value replaced while an inner runs', () => {
    const dropped: string[] = [];
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source = hot('-abcd------e--|');
      const result = source.pipe(exhaustMapLatest((v: string) => cold('---(x|)', { x: v }), (d) => dropped.push(d)));
      expectObservable(result).toBe('----a--d------(e|)');
    });
    // b was replaced by c, c by d, all while a was encoding; e arrived when idle.
    expect(dropped).toEqual(['b', 'c']);
  });

  it('waits for the held value to be projected before completing', () => {
    scheduler().run(({ cold, hot, expectObservable }) => {
      const source = hot('-a-b|');
      const result = source.pipe(exhaustMapLatest((v: string) => cold('---(x|)', { x: v })));
      expectObservable(result).toBe('----a--(b|)');
    });
  });

  it('tears down the active inner when unsubscribed', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a------');
      const inner = cold(' -----x|');
      const unsub = '     ---!';
      const result = source.pipe(exhaustMapLatest(() => inner));
      expectObservable(result, unsub).toBe('--------');
      expectSubscriptions(source.subscriptions).toBe('^--!');
      expectSubscriptions(inner.subscriptions).toBe('-^-!');
    });
  });

  it('propagates an inner error (encoder failure) and unsubscribes the source', () => {
    scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b---');
      const result = source.pipe(exhaustMapLatest(() => cold('--#', undefined, new Error('jpeg encode failed'))));
      expectObservable(result).toBe('---#', undefined, new Error('jpeg encode failed'));
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  describe('without holdLatest (exhaustMap: drop while busy)', () => {
    it('drops values that arrive while busy at once and projects the next one that arrives when idle', () => {
      const dropped: string[] = [];
      scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const source = hot('  -abc-----d-----|');
        const expected = '    ----a-------d--|';
        const result = source.pipe(exhaustMapLatest((v: string) => cold('---(x|)', { x: v }), (d) => dropped.push(d), { holdLatest: false }));
        expectObservable(result).toBe(expected);
        expectSubscriptions(source.subscriptions).toBe('^--------------!');
      });
      // b and c arrived while a ran: dropped when they arrived, never run after a.
      expect(dropped).toEqual(['b', 'c']);
    });

    it('unsubscribing tears down the inner in flight and the source', () => {
      scheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
        const source = hot('-a-b---');
        const inner = cold('-----(x|)', { x: 'x' });
        const result = source.pipe(exhaustMapLatest(() => inner, () => {}, { holdLatest: false }));
        expectObservable(result, '^--!').toBe('----');
        expectSubscriptions(source.subscriptions).toBe('^--!');
        expectSubscriptions(inner.subscriptions).toBe('-^-!');
      });
    });
  });
});
