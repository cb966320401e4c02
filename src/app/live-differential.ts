/**
 * The live differential of a scan, derived (never kept): the counter's counted cells with the
 * store's reviews applied, plus the counts an interrupted scan had before it was resumed. Pure.
 */
import type { LeukocyteType } from '../core/classes.js';
import { differentialFromCounts } from '../store/differential.js';
import type { DifferentialRow as StoredRow } from '../store/types.js';
import type { DifferentialRow } from '../stream/protocol.js';
import type { SessionDifferential } from '../stream/session.js';
import type { ReviewedType } from './live-counting.js';

export interface LiveDifferentialInput {
  /** Types of the cells the live counter has counted, by tracker id. */
  readonly cells: Iterable<{ readonly id: number; readonly type: LeukocyteType }>;
  readonly reviewed: (trackId: number) => ReviewedType | undefined;
  /** Counted types stored before this counter started (a resumed scan); empty otherwise. */
  readonly base: Partial<Record<LeukocyteType, number>>;
  readonly target: number;
}

export function liveDifferential(input: LiveDifferentialInput): SessionDifferential {
  const counts: Partial<Record<LeukocyteType, number>> = { ...input.base };
  for (const cell of input.cells) {
    const review = input.reviewed(cell.id);
    if (review?.rejected) continue;
    const type = review?.type ?? cell.type;
    counts[type] = (counts[type] ?? 0) + 1;
  }
  const d = differentialFromCounts({ scanId: 0, counts, rejected: 0, pending: 0, target: input.target });
  return {
    total: d.counted,
    target: input.target,
    rows: toWireRows(d.rows),
    ciMethod: d.ciMethod,
  };
}

/** The store's rows (ci95 in percent) as the protocol's rows (ciLow / ciHigh in percent). */
export function toWireRows(rows: readonly StoredRow[]): DifferentialRow[] {
  return rows.map((r) => ({ type: r.type, count: r.count, percent: r.percent, ciLow: r.ci95.low, ciHigh: r.ci95.high }));
}
