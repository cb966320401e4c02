/**
 * What a count update tells viewers, once its crops are encoded: each counted cell (with its box in
 * the frame it was counted in and its JPEG crop), each cell the tracker retyped, with the type it
 * counts as now (the store's reviews applied), and each count taken back. Pure apart from the crop
 * encoding.
 */
import { encodeCropJpeg } from './encode-crops.js';
import type { CountUpdate, CountedFrame, TrackEvent } from '../track/types.js';
import type { SessionEvent } from '../stream/session.js';
import { type ReviewedType, wireReview } from './live-counting.js';

export interface CellNaming {
  /** The wire cell id of a tracker id (`<scanId>:<trackId>` or `live:<trackId>`). */
  cellIdFor(trackId: number): string;
}

/** The update with the RGB crops of its counted cells encoded as JPEG (a failed encode: no crop). */
export async function withJpegCrops(update: CountUpdate): Promise<CountUpdate> {
  const events: TrackEvent[] = [];
  for (const e of update.events) {
    if (e.kind === 'cell-counted' && e.crop?.format === 'rgb24') events.push({ ...e, crop: await encodeCropJpeg(e.crop).catch(() => null) });
    else events.push(e);
  }
  return { ...update, events };
}

/** Pure: the session events of an (encoded) update: 'cell-retracted' per count taken back, 'counted' per counted cell, 'cell-updated' per retype. */
export function countedCellEvents(update: CountUpdate, naming: CellNaming, reviewed: (trackId: number) => ReviewedType | undefined): SessionEvent[] {
  const out: SessionEvent[] = [];
  for (const e of update.events) {
    if (e.kind === 'cell-retracted') out.push({ kind: 'cell-retracted', cellId: naming.cellIdFor(e.cellId), keptCellId: naming.cellIdFor(e.kept.id) });
    if (e.kind === 'cell-counted') out.push(countedEvent(update.frame, e, naming.cellIdFor(e.cell.id)));
    if (e.kind === 'cell-retyped') {
      const review = reviewed(e.cell.id);
      out.push({ kind: 'cell-updated', cellId: naming.cellIdFor(e.cell.id), cellType: review?.type ?? e.cell.type, review: wireReview(review) });
    }
  }
  return out;
}

function countedEvent(frame: CountedFrame, e: Extract<TrackEvent, { kind: 'cell-counted' }>, cellId: string): SessionEvent {
  const visible = frame.visible.find((v) => v.cellId === e.cell.id);
  const slide = e.cell.slideBox;
  // Frame box where the cell was counted; else its slide box moved by the frame's pose.
  const box: [number, number, number, number] = visible
    ? [visible.frameBox.x1, visible.frameBox.y1, visible.frameBox.x2, visible.frameBox.y2]
    : [slide.x1 - frame.pose.x, slide.y1 - frame.pose.y, slide.x2 - frame.pose.x, slide.y2 - frame.pose.y];
  return {
    kind: 'counted',
    cell: {
      cellId,
      trackId: e.cell.id,
      type: e.cell.type,
      score: e.cell.confidence,
      seq: e.seq,
      timestampMs: e.timestampMs,
      box,
      cropJpeg: e.crop?.format === 'jpeg' ? e.crop.data : null,
      review: null,
    },
  };
}
