import { LEUKOCYTE_TYPES, type LeukocyteType } from '../core/classes.js';
import { TRACK_DEFAULTS } from './config.js';
import type { Differential, TypeCount } from './types.js';

/**
 * Wilson score interval for a binomial proportion k / n, as fractions in [0, 1].
 * n = 0 gives [0, 1] (nothing is known).
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

/** The differential of a set of typed counted cells: per-type counts, percentages and 95% CIs. */
export function differentialOf(
  types: Iterable<LeukocyteType>,
  options: { target?: number; z?: number } = {},
): Differential {
  const target = options.target ?? TRACK_DEFAULTS.count.target;
  const z = options.z ?? TRACK_DEFAULTS.count.z;
  const tally: Record<LeukocyteType, number> = { NEU: 0, LYM: 0, MON: 0, EOS: 0, BAS: 0 };
  let total = 0;
  for (const t of types) {
    tally[t]++;
    total++;
  }
  const counts = {} as Record<LeukocyteType, TypeCount>;
  for (const t of LEUKOCYTE_TYPES) {
    const ci = wilsonInterval(tally[t], total, z);
    counts[t] = {
      count: tally[t],
      percent: total > 0 ? (100 * tally[t]) / total : 0,
      ci95: { low: 100 * ci.low, high: 100 * ci.high },
    };
  }
  return { counts, total, target, progress: target > 0 ? Math.min(1, total / target) : 1, done: target > 0 && total >= target };
}
