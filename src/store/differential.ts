import { LEUKOCYTE_TYPES, type LeukocyteType } from '../core/classes.js';
import type { Differential, DifferentialRow, PercentInterval } from './types.js';

/** z for a two-sided 95% interval. */
const Z95 = 1.959963984540054;

/**
 * Wilson score interval for k successes out of n, in percent. Unlike the normal
 * approximation it stays inside [0, 100] and behaves for small counts (a 100-cell differential).
 */
export function wilsonInterval(k: number, n: number, z: number = Z95): PercentInterval {
  if (n <= 0) return { low: 0, high: 100 };
  const p = k / n;
  const z2 = z * z;
  const denom = 1 + z2 / n;
  const centre = (p + z2 / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half) * 100, high: Math.min(1, centre + half) * 100 };
}

export interface DifferentialInput {
  readonly scanId: number;
  readonly counts: Partial<Record<LeukocyteType, number>>;
  readonly rejected: number;
  readonly pending: number;
  readonly target: number | null;
}

/** Pure: the differential table from per-type counts. */
export function differentialFromCounts(input: DifferentialInput): Differential {
  const counted = LEUKOCYTE_TYPES.reduce((sum, t) => sum + (input.counts[t] ?? 0), 0);
  const rows: DifferentialRow[] = LEUKOCYTE_TYPES.map((type) => {
    const count = input.counts[type] ?? 0;
    return { type, count, percent: counted > 0 ? (count / counted) * 100 : 0, ci95: wilsonInterval(count, counted) };
  });
  return {
    scanId: input.scanId,
    counted,
    rejected: input.rejected,
    pending: input.pending,
    target: input.target,
    rows,
    ciMethod: 'wilson-95',
  };
}
