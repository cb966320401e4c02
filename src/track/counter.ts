import type { LeukocyteType } from '../core/classes.js';
import { centre } from './box.js';
import type { CountPolicy } from './config.js';
import { TRACK_DEFAULTS } from './config.js';
import { differentialOf } from './differential.js';
import { startsSegment, type CellFold, type CountedCell, type CountedFrame, type TrackedCell, type TrackedFrame, type TrackEvent } from './types.js';

/** True when a cell passes the confirmation policy (it is then counted once, for good). */
export function isConfirmed(cell: TrackedCell, policy: Pick<CountPolicy, 'minObservations' | 'minMeanScore'>): boolean {
  return cell.type !== null && cell.fullObservations >= policy.minObservations && cell.meanScore >= policy.minMeanScore;
}

export function countedCell(cell: TrackedCell, countedSeq: number): CountedCell {
  if (cell.type === null) throw new Error(`cell ${cell.id} has no type and cannot be counted`);
  const c = centre(cell.slideBox);
  return {
    id: cell.id,
    segment: cell.segment,
    type: cell.type,
    confidence: cell.typeConfidence,
    slideX: c.x,
    slideY: c.y,
    slideBox: cell.slideBox,
    firstSeenSeq: cell.firstSeenSeq,
    lastSeenSeq: cell.lastSeenSeq,
    firstSeenMs: cell.firstSeenMs,
    lastSeenMs: cell.lastSeenMs,
    countedSeq,
  };
}

/** A count taken back: cell `id`, counted as `type` at `countedSeq`, was one with cell `into`. */
interface Retraction {
  readonly id: number;
  readonly into: number;
  readonly type: LeukocyteType;
  readonly countedSeq: number;
}

/**
 * Counts each confirmed cell once. The counter owns only the set of counted
 * ids (and when each was counted); types come from the registry's cells and
 * the differential is derived from both on every frame. A count is taken back
 * ('cell-retracted') only when the registry folded a counted cell into one
 * counted earlier (TrackedFrame.folded, at a segment merge).
 *
 * TrackedFrame -> CountedFrame + events. Deterministic; no I/O.
 */
export class Counter {
  private readonly policy: CountPolicy;
  /** id -> frame seq at which it was counted */
  private readonly countedAt = new Map<number, number>();
  /** Type each counted cell had when events were last emitted (to detect retyping). */
  private readonly announcedType = new Map<number, LeukocyteType>();
  private targetAnnounced = false;

  constructor(policy: Partial<CountPolicy> = {}) {
    this.policy = { ...TRACK_DEFAULTS.count, ...policy };
  }

  update(tracked: TrackedFrame): { frame: CountedFrame; events: TrackEvent[] } {
    const { seq, timestampMs } = tracked.frame;
    const events: TrackEvent[] = [];
    if (startsSegment(tracked)) {
      events.push({ kind: 'segment-started', seq, timestampMs, segment: tracked.segment, reason: tracked.motion === 'start' ? 'start' : 'jump' });
    }
    const retracted = this.retract(tracked.folded ?? []);
    const newlyCounted: TrackedCell[] = [];
    const retyped: { cell: TrackedCell; previous: LeukocyteType }[] = [];
    for (const cell of tracked.cells) {
      if (!this.countedAt.has(cell.id)) {
        if (isConfirmed(cell, this.policy)) {
          this.countedAt.set(cell.id, seq);
          this.announcedType.set(cell.id, cell.type!);
          newlyCounted.push(cell);
        }
      } else if (cell.type !== null && cell.type !== this.announcedType.get(cell.id)) {
        retyped.push({ cell, previous: this.announcedType.get(cell.id)! });
        this.announcedType.set(cell.id, cell.type);
      }
    }
    const byId = new Map(tracked.cells.map((c) => [c.id, c]));
    const differential = differentialOf(
      [...this.countedAt.keys()].map((id) => byId.get(id)!.type!),
      { target: this.policy.target, z: this.policy.z },
    );
    for (const r of retracted) {
      const kept = byId.get(r.into)!;
      events.push({ kind: 'cell-retracted', seq, timestampMs, cellId: r.id, type: r.type, countedSeq: r.countedSeq, kept: countedCell(kept, this.countedAt.get(kept.id)!), differential });
    }
    for (const cell of newlyCounted) {
      events.push({ kind: 'cell-counted', seq, timestampMs, cell: countedCell(cell, seq), crop: cell.crop, differential });
    }
    for (const { cell, previous } of retyped) {
      events.push({ kind: 'cell-retyped', seq, timestampMs, cell: countedCell(cell, this.countedAt.get(cell.id)!), previousType: previous, differential });
    }
    if (retracted.length > 0 || newlyCounted.length > 0 || retyped.length > 0) events.push({ kind: 'differential-changed', seq, timestampMs, differential });
    if (differential.done && !this.targetAnnounced) {
      this.targetAnnounced = true;
      events.push({ kind: 'target-reached', seq, timestampMs, differential });
    }
    const countedAt = new Map(this.countedAt);
    return { frame: { ...tracked, countedIds: new Set(countedAt.keys()), countedAt, differential }, events };
  }

  /**
   * Takes back the counts of counted cells the registry folded into another. The registry keeps the
   * counted cell of a pair when it is given the counts (`CellRegistry.update`'s `countedAt`), so the
   * cell kept is counted too; a fold that would lose a count throws before anything changes.
   */
  private retract(folds: readonly CellFold[]): Retraction[] {
    const out: Retraction[] = [];
    for (const { id, into } of folds) {
      const countedSeq = this.countedAt.get(id);
      if (countedSeq === undefined) continue;
      if (!this.countedAt.has(into)) {
        throw new Error(`cell ${id} (counted) was folded into cell ${into} (not counted): give the registry the counter's countedAt`);
      }
      out.push({ id, into, type: this.announcedType.get(id)!, countedSeq });
    }
    for (const r of out) {
      this.countedAt.delete(r.id);
      this.announcedType.delete(r.id);
    }
    return out;
  }

}

/** The counted cells of a counted frame, as consumers see them. */
export function countedCellsOf(frame: CountedFrame): CountedCell[] {
  return frame.cells.filter((c) => frame.countedAt.has(c.id)).map((c) => countedCell(c, frame.countedAt.get(c.id)!));
}
