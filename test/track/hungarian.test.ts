import { describe, expect, it } from 'vitest';
import { hungarian } from '../../src/track/hungarian.js';

function cost(m: number[][], a: number[]): number {
  return a.reduce((s, j, i) => s + (j >= 0 ? m[i][j] : 0), 0);
}

/** Minimum over all injective assignments of the smaller side (brute force). */
function bruteForce(m: number[][]): number {
  const rows = m.length;
  const cols = m[0].length;
  let best = Infinity;
  const used = new Array(cols).fill(false);
  const k = Math.min(rows, cols);
  const rec = (i: number, assigned: number, acc: number) => {
    if (assigned === k || i === rows) {
      if (assigned === k) best = Math.min(best, acc);
      return;
    }
    if (rows - i > k - assigned) rec(i + 1, assigned, acc); // leave row i unassigned (rows > cols)
    for (let j = 0; j < cols; j++) {
      if (used[j]) continue;
      used[j] = true;
      rec(i + 1, assigned + 1, acc + m[i][j]);
      used[j] = false;
    }
  };
  rec(0, 0, 0);
  return best;
}

function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
}

describe('hungarian', () => {
  it.each([
    // [label, matrix, expected assignment]
    ['identity is best', [[0, 9, 9], [9, 0, 9], [9, 9, 0]], [0, 1, 2]],
    ['anti-diagonal is best', [[9, 9, 1], [9, 1, 9], [1, 9, 9]], [2, 1, 0]],
    ['greedy would be wrong', [[1, 2], [2, 100]], [1, 0]],
    ['more columns than rows', [[5, 1, 9]], [1]],
    ['more rows than columns: the cheaper row wins', [[5], [1], [9]], [-1, 0, -1]],
  ])('%s', (_label, m, want) => {
    expect(hungarian(m as number[][])).toEqual(want);
  });

  it('finds the optimum on random matrices (checked by brute force)', () => {
    const rnd = lcg(42);
    for (let trial = 0; trial < 60; trial++) {
      const rows = 1 + Math.floor(rnd() * 5);
      const cols = 1 + Math.floor(rnd() * 5);
      const m = Array.from({ length: rows }, () => Array.from({ length: cols }, () => Math.round(rnd() * 100)));
      const a = hungarian(m);
      expect(new Set(a.filter((j) => j >= 0)).size).toBe(Math.min(rows, cols));
      expect(cost(m, a)).toBeCloseTo(bruteForce(m), 9);
    }
  });

  it('empty input gives an empty assignment', () => {
    expect(hungarian([])).toEqual([]);
    expect(hungarian([[], []])).toEqual([-1, -1]);
  });

  it('BAD COST - rejects infinite costs and ragged rows', () => {
    expect(() => hungarian([[1, Infinity]])).toThrow('hungarian: cost must be finite, got Infinity in row 0');
    expect(() => hungarian([[1, 2], [3]])).toThrow('hungarian: row 1 has 1 columns, expected 2');
  });
});
