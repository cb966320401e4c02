import { LEUKOCYTE_TYPES, type LeukocyteType } from '../core/classes.js';
import { TRACK_DEFAULTS } from './config.js';
import type { Differential, TypeCount } from './types.js';

/** The interval method of every differential. */
export const CI_METHOD = 'wilson-95';

/**
 * Wilson score interval for a binomial proportion k / n, as fractions in [0, 1].
 * n = 0 gives [0, 1] (nothing is known). The one Wilson interval of leukoscan: the live view,
 * the store and the reports all take their 95% intervals from here (through `typeCounts`).
 */
export function wilsonInterval(k: number, n: number, z: number = TRACK_DEFAULTS.count.z): { low: number; high: number } {
  if (!Number.isInteger(k) || !Number.isInteger(n) || k < 0 || n < 0 || k > n) {
    throw new Error(`wilsonInterval: need integers 0 <= k <= n, got k=${k}, n=${n}`);
  }
  if (n === 0) return { low: 0, high: 1 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const mid = (p + z2 / (2 * n)) / denom;
  const half = (z / denom) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return { low: Math.max(0, mid - half), high: Math.min(1, mid + half) };
}

/**
 * Pure: per-type tallies → each type's count, share and 95% Wilson interval (both in percent),
 * and the total. Every differential (frame, stored scan, live session, report) is computed here.
 */
export function typeCounts(
  tally: Partial<Record<LeukocyteType, number>>,
  z: number = TRACK_DEFAULTS.count.z,
): { counts: Record<LeukocyteType, TypeCount>; total: number } {
  const total = LEUKOCYTE_TYPES.reduce((sum, t) => sum + (tally[t] ?? 0), 0);
  const counts = {} as Record<LeukocyteType, TypeCount>;
  for (const t of LEUKOCYTE_TYPES) {
    const count = tally[t] ?? 0;
    const ci = wilsonInterval(count, total, z);
    counts[t] = { count, percent: total > 0 ? (100 * count) / total : 0, ci95: { low: 100 * ci.low, high: 100 * ci.high } };
  }
  return { counts, total };
}

/** Pure: the differential of per-type tallies, against a target (null: none set). */
export function differentialFromTally(tally: Partial<Record<LeukocyteType, number>>, options: { target: number | null; z?: number }): Differential {
  const { target } = options;
  const { counts, total } = typeCounts(tally, options.z);
  const rows = LEUKOCYTE_TYPES.map((type) => ({ type, ...counts[type] }));
  const aimed = target !== null && target > 0;
  return { counts, rows, total, target, progress: aimed ? Math.min(1, total / target) : 1, done: aimed && total >= target, ciMethod: CI_METHOD };
}

/** The differential of a set of typed counted cells: per-type counts, percentages and 95% CIs. */
export function differentialOf(
  types: Iterable<LeukocyteType>,
  options: { target?: number; z?: number } = {},
): Differential {
  const tally: Partial<Record<LeukocyteType, number>> = {};
  for (const t of types) tally[t] = (tally[t] ?? 0) + 1;
  return differentialFromTally(tally, { target: options.target ?? TRACK_DEFAULTS.count.target, z: options.z });
}
