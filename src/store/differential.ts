import type { LeukocyteType } from '../core/classes.js';
import { differentialFromTally } from '../track/differential.js';
import type { ScanDifferential } from './types.js';

export interface DifferentialInput {
  readonly scanId: number;
  readonly counts: Partial<Record<LeukocyteType, number>>;
  readonly rejected: number;
  readonly pending: number;
  readonly target: number | null;
}

/** Pure: the stored differential from per-type counts (computed by src/track's `differentialFromTally`). */
export function differentialFromCounts(input: DifferentialInput): ScanDifferential {
  const d = differentialFromTally(input.counts, { target: input.target });
  return { ...d, scanId: input.scanId, counted: d.total, rejected: input.rejected, pending: input.pending };
}
