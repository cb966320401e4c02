/**
 * The live differential of a scan, derived (never kept): the counter's counted cells with the
 * store's reviews applied, plus the counts an interrupted scan had before it was resumed. Pure.
 */
import type { LeukocyteType } from '../core/classes.js';
import { differentialFromTally } from '../track/differential.js';
import type { Differential, DifferentialRow } from '../track/types.js';
import type { DifferentialBody, DifferentialRow as WireRow } from '../stream/protocol.js';
import type { ReviewedType } from './live-counting.js';

export interface LiveDifferentialInput {
  /** Types of the cells the live counter has counted, by tracker id. */
  readonly cells: Iterable<{ readonly id: number; readonly type: LeukocyteType }>;
  readonly reviewed: (trackId: number) => ReviewedType | undefined;
  /** Counted types stored before this counter started (a resumed scan); empty otherwise. */
  readonly base: Partial<Record<LeukocyteType, number>>;
  readonly target: number;
}

export function liveDifferential(input: LiveDifferentialInput): Differential {
  const counts: Partial<Record<LeukocyteType, number>> = { ...input.base };
  for (const cell of input.cells) {
    const review = input.reviewed(cell.id);
    if (review?.rejected) continue;
    const type = review?.type ?? cell.type;
    counts[type] = (counts[type] ?? 0) + 1;
  }
  return differentialFromTally(counts, { target: input.target });
}

/** A differential as the wire carries it (the session's `differential` event), against the scan's target. */
export function toDifferentialBody(d: Differential, target: number): DifferentialBody {
  return { total: d.total, target, rows: toWireRows(d.rows), ciMethod: d.ciMethod };
}

/** A differential's rows (ci95 in percent) as the protocol's rows (ciLow / ciHigh in percent). */
export function toWireRows(rows: readonly DifferentialRow[]): WireRow[] {
  return rows.map((r) => ({ type: r.type, count: r.count, percent: r.percent, ciLow: r.ci95.low, ciHigh: r.ci95.high }));
}
