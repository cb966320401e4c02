/**
 * Writes one batch of queued cells, retypes and retractions in one transaction on a given connection. The same code
 * runs inline (main thread) or in the writer thread (write-worker.ts). Batches are plain data so
 * that they can be posted to a worker.
 */
import type Database from 'better-sqlite3';
import type { LeukocyteType } from '../core/classes.js';
import type { CellRetractInput, CellRetypeInput, CountedCellInput } from './types.js';

/** What waits in the write queue, in the order it happened. */
export type QueuedWrite =
  | { readonly kind: 'cell'; readonly scanId: number; readonly session: number; readonly cell: CountedCellInput; readonly recordedAtMs: number }
  | { readonly kind: 'retype'; readonly scanId: number; readonly session: number; readonly retype: CellRetypeInput; readonly atMs: number }
  | { readonly kind: 'retract'; readonly scanId: number; readonly session: number; readonly retract: CellRetractInput; readonly atMs: number };

/** A scan's cells touched by one batch: inserted (`cells`), or retracted. */
export interface BatchScanResult {
  readonly scanId: number;
  /** Inserted cells (duplicates of a stored track id are left out). */
  readonly cells: readonly { readonly id: number; readonly trackId: number }[];
  /** Retracted cells, with the store id of the cell kept (null: not stored). */
  readonly retracted: readonly { readonly id: number; readonly trackId: number; readonly keptId: number | null }[];
}

export interface BatchResult {
  /** Per scan, the cells inserted and retracted by this batch. */
  readonly stored: readonly BatchScanResult[];
  /** Time spent in the transaction, commit (and its fsync) included, ms. */
  readonly flushMs: number;
}

export function createBatchWriter(db: Database.Database): (batch: readonly QueuedWrite[]) => BatchResult {
  const insertCell = db.prepare(`INSERT INTO cells (scan_id, session, track_id, type, confidence, votes_json, slide_x, slide_y, slide_w,
      slide_h, segment, first_seen_ms, last_seen_ms, recorded_at_ms, crop_jpeg)
    VALUES (@scan_id, @session, @track_id, @type, @confidence, @votes_json, @slide_x, @slide_y, @slide_w, @slide_h, @segment,
      @first_seen_ms, @last_seen_ms, @recorded_at_ms, @crop_jpeg)
    ON CONFLICT (scan_id, session, track_id) DO NOTHING
    RETURNING id`);
  // The tracker of a session only retypes cells it counted: the newest session up to this one holds it.
  const cellByTrack = db.prepare(
    'SELECT id, type FROM cells WHERE scan_id = ? AND track_id = ? AND session <= ? ORDER BY session DESC LIMIT 1',
  );
  const retypeCell = db.prepare(`UPDATE cells SET type = @type, confidence = COALESCE(@confidence, confidence),
    votes_json = COALESCE(@votes_json, votes_json) WHERE id = @id`);
  const retractCell = db.prepare('UPDATE cells SET retracted_at_ms = @at_ms, retracted_into = @kept WHERE id = @id AND retracted_at_ms IS NULL');
  const insertEvent = db.prepare('INSERT INTO events (scan_id, at_ms, kind, detail_json) VALUES (?, ?, ?, ?)');

  const run = db.transaction((batch: readonly QueuedWrite[]) => {
    const stored = new Map<number, { cells: BatchScanResult['cells'][number][]; retracted: BatchScanResult['retracted'][number][] }>();
    const of = (scanId: number) => stored.get(scanId) ?? stored.set(scanId, { cells: [], retracted: [] }).get(scanId)!;
    for (const item of batch) {
      if (item.kind === 'retract') {
        // The tracker takes a count back: the cell stays for the audit trail, out of cell_current.
        const { scanId, session, retract, atMs } = item;
        const gone = cellByTrack.get(scanId, retract.trackId, session) as { id: number; type: LeukocyteType } | undefined;
        if (!gone) continue; // never stored: the queue keeps order, so this only happens for a bad track id
        const kept = cellByTrack.get(scanId, retract.keptTrackId, session) as { id: number; type: LeukocyteType } | undefined;
        if (retractCell.run({ id: gone.id, kept: kept?.id ?? null, at_ms: atMs }).changes === 0) continue;
        insertEvent.run(scanId, atMs, 'cell-retracted', JSON.stringify({ cellId: gone.id, trackId: retract.trackId, type: gone.type, keptCellId: kept?.id ?? null, keptTrackId: retract.keptTrackId }));
        of(scanId).retracted.push({ id: gone.id, trackId: retract.trackId, keptId: kept?.id ?? null });
        continue;
      }
      if (item.kind === 'retype') {
        const { scanId, session, retype, atMs } = item;
        const before = cellByTrack.get(scanId, retype.trackId, session) as { id: number; type: LeukocyteType } | undefined;
        if (!before) continue; // never stored: the queue keeps order, so this only happens for a bad track id
        retypeCell.run({
          id: before.id,
          type: retype.type,
          confidence: retype.confidence ?? null,
          votes_json: retype.votes ? JSON.stringify(retype.votes) : null,
        });
        insertEvent.run(scanId, atMs, 'cell-retyped', JSON.stringify({ cellId: before.id, trackId: retype.trackId, from: before.type, to: retype.type }));
        continue;
      }
      const { scanId, session, cell, recordedAtMs } = item;
      const row = insertCell.get({
        scan_id: scanId,
        session,
        track_id: cell.trackId,
        type: cell.type,
        confidence: cell.confidence,
        votes_json: JSON.stringify(cell.votes),
        slide_x: cell.slide.x,
        slide_y: cell.slide.y,
        slide_w: cell.slide.width ?? null,
        slide_h: cell.slide.height ?? null,
        segment: cell.segment ?? null,
        first_seen_ms: Math.round(cell.firstSeenMs),
        last_seen_ms: Math.round(cell.lastSeenMs),
        recorded_at_ms: recordedAtMs,
        crop_jpeg: cell.cropJpeg ? Buffer.from(cell.cropJpeg.buffer, cell.cropJpeg.byteOffset, cell.cropJpeg.byteLength) : null,
      }) as { id: number } | undefined;
      if (row) of(scanId).cells.push({ id: row.id, trackId: cell.trackId });
    }
    return stored;
  });

  return (batch) => {
    const started = performance.now();
    const stored = run(batch);
    return { stored: [...stored].map(([scanId, { cells, retracted }]) => ({ scanId, cells, retracted })), flushMs: performance.now() - started };
  };
}
