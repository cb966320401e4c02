import { LEUKOCYTE_TYPES, type LeukocyteType } from '../core/classes.js';
import { typeCounts } from '../track/differential.js';
import type { Differential, DifferentialRow } from './types.js';

export interface DifferentialInput {
  readonly scanId: number;
  readonly counts: Partial<Record<LeukocyteType, number>>;
  readonly rejected: number;
  readonly pending: number;
  readonly target: number | null;
}

/** Pure: the stored differential table from per-type counts (numbers from src/track's `typeCounts`). */
export function differentialFromCounts(input: DifferentialInput): Differential {
  const { counts, total } = typeCounts(input.counts);
  const rows: DifferentialRow[] = LEUKOCYTE_TYPES.map((type) => ({ type, ...counts[type] }));
  return {
    scanId: input.scanId,
    counted: total,
    rejected: input.rejected,
    pending: input.pending,
    target: input.target,
    rows,
    ciMethod: 'wilson-95',
  };
}
