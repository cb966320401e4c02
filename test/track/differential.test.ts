import { describe, expect, it } from 'vitest';
import type { LeukocyteType } from '../../src/core/classes.js';
import { differentialOf, wilsonInterval } from '../../src/track/differential.js';

describe('wilsonInterval (95%)', () => {
  // Reference values: Wilson score interval without continuity correction, z = 1.959964
  // (reference: scipy.stats.binomtest(k, n).proportion_ci(method='wilson'), rounded to 4 places).
  it.each([
    // [k, n, low, high]
    [0, 10, 0, 0.2775],
    [1, 10, 0.0179, 0.4042],
    [5, 10, 0.2366, 0.7634],
    [10, 10, 0.7225, 1],
    [50, 100, 0.4038, 0.5962],
    [60, 200, 0.2407, 0.3668],
    [3, 7, 0.1582, 0.7495],
  ])('k=%i n=%i -> [%f, %f]', (k, n, low, high) => {
    const ci = wilsonInterval(k, n);
    expect(ci.low).toBeCloseTo(low, 4);
    expect(ci.high).toBeCloseTo(high, 4);
  });

  it('n = 0 knows nothing', () => {
    expect(wilsonInterval(0, 0)).toEqual({ low: 0, high: 1 });
  });

  it('BAD COUNTS - rejects k > n', () => {
    expect(() => wilsonInterval(3, 2)).toThrow('wilsonInterval: need integers 0 <= k <= n, got k=3, n=2');
  });
});

describe('differentialOf', () => {
  it('counts, percentages, intervals, progress and done', () => {
    const types: LeukocyteType[] = [...Array(6).fill('NEU'), ...Array(3).fill('LYM'), 'MON'];
    const d = differentialOf(types, { target: 10 });
    expect(d.total).toBe(10);
    expect(d.counts.NEU.count).toBe(6);
    expect(d.counts.NEU.percent).toBeCloseTo(60, 9);
    expect(d.counts.EOS.count).toBe(0);
    expect(d.counts.EOS.ci95.low).toBe(0);
    expect(d.counts.EOS.ci95.high).toBeCloseTo(27.75, 1);
    expect(d.progress).toBe(1);
    expect(d.done).toBe(true);
    const half = differentialOf(types.slice(0, 5), { target: 10 });
    expect(half.progress).toBe(0.5);
    expect(half.done).toBe(false);
  });
});
