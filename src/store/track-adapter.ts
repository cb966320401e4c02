/**
 * Adapter from the tracker's events (src/track/types.ts) to the store's inputs. Pure: no I/O.
 * Crops must already be JPEG (encode them with src/app `encodeCropJpeg()` first).
 */
import type { CountUpdate, TrackedCell } from '../track/types.js';
import type { ScanStore } from './scan-store.js';
import type { CellRetractInput, CellRetypeInput, CountedCellInput } from './types.js';

export interface StoreWrites {
  readonly cells: CountedCellInput[];
  readonly retypes: CellRetypeInput[];
  /** Counts taken back (a segment merge found the cell to be one counted earlier). */
  readonly retracts: CellRetractInput[];
}

export function storeWritesFromCountUpdate(update: CountUpdate): StoreWrites {
  const cells: CountedCellInput[] = [];
  const retypes: CellRetypeInput[] = [];
  const retracts: CellRetractInput[] = [];
  let byId: Map<number, TrackedCell> | null = null;
  const tracked = (id: number): TrackedCell | undefined => {
    byId ??= new Map(update.frame.cells.map((c) => [c.id, c]));
    return byId.get(id);
  };
  for (const event of update.events) {
    if (event.kind === 'cell-counted') {
      const { cell, crop } = event;
      if (crop && crop.format !== 'jpeg') {
        throw new Error(
          `cell ${cell.id} (frame ${event.seq}) carries an RGB crop: encode crops (src/app encodeCropJpeg()) before storing`,
        );
      }
      cells.push({
        trackId: cell.id,
        type: cell.type,
        confidence: cell.confidence,
        votes: tracked(cell.id)?.votes ?? { [cell.type]: cell.confidence },
        slide: {
          x: cell.slideX,
          y: cell.slideY,
          width: cell.slideBox.x2 - cell.slideBox.x1,
          height: cell.slideBox.y2 - cell.slideBox.y1,
        },
        segment: cell.segment,
        firstSeenMs: cell.firstSeenMs,
        lastSeenMs: cell.lastSeenMs,
        cropJpeg: crop?.data ?? null,
      });
    } else if (event.kind === 'cell-retyped') {
      retypes.push({
        trackId: event.cell.id,
        type: event.cell.type,
        confidence: event.cell.confidence,
        votes: tracked(event.cell.id)?.votes ?? null,
      });
    } else if (event.kind === 'cell-retracted') {
      retracts.push({ trackId: event.cellId, keptTrackId: event.kept.id });
    }
  }
  return { cells, retypes, retracts };
}

/** Queues a count update's counted, retyped and retracted cells for `scanId` (cells first, so a change follows its insert). */
export function recordCountUpdate(store: ScanStore, scanId: number, update: CountUpdate): StoreWrites {
  const writes = storeWritesFromCountUpdate(update);
  if (writes.cells.length > 0) store.recordCells(scanId, writes.cells);
  if (writes.retypes.length > 0) store.retypeCells(scanId, writes.retypes);
  if (writes.retracts.length > 0) store.retractCells(scanId, writes.retracts);
  return writes;
}
