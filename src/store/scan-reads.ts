/**
 * The scan store's reads: cells, crops, reviews, the derived differential, scan summaries and
 * events, over the store's one connection. ScanStore (the writes, lifecycle and review) extends it.
 */
import type Database from 'better-sqlite3';
import type { LeukocyteType } from '../core/classes.js';
import { differentialFromCounts } from './differential.js';
import { CellNotFoundError, ScanNotFoundError } from './errors.js';
import { toCellRecord, toEventRecord, toReviewRecord, toScanRecord, toScanSummary, type CellRow, type EventRow, type ReviewRow, type ScanRow, type ScanSummaryRow } from './rows.js';
import { prepareStatements, tallyTypes, type Statements, type TypeCountRow } from './statements.js';
import type { CellRecord, ScanDifferential, LoadedScan, ReviewRecord, ScanEventRecord, ScanRecord, ScanSummary } from './types.js';

/** A scan reference: its id, or 'latest' (the most recently started). */
export type ScanRef = number | 'latest';

export abstract class ScanReads {
  protected readonly statements: Statements;

  protected constructor(
    protected readonly db: Database.Database,
    /** The database file. */
    readonly file: string,
  ) {
    this.statements = prepareStatements(db);
  }

  /** Cells of a scan still queued (not yet committed). */
  protected abstract pendingFor(scanId: number): number;

  /**
   * Tracker ids of a scan's committed cells (sessions >= fromSession) whose last review stands (not a
   * restore), with the type they count as now (null: rejected). The live view derives its overrides from this.
   */
  reviewedTracks(scanId: number, fromSession: number): Map<number, LeukocyteType | null> {
    const rows = this.statements.reviewedTracks.all(scanId, fromSession) as { track_id: number; current_type: LeukocyteType | null }[];
    return new Map(rows.map((r) => [r.track_id, r.current_type]));
  }

  /** Counted type (reviews applied; null = rejected) → cells, over a scan's sessions before `beforeSession`. */
  typeCountsBefore(scanId: number, beforeSession: number): { counts: Partial<Record<LeukocyteType, number>>; rejected: number } {
    return tallyTypes(this.statements.typeCountsBefore.all(scanId, beforeSession) as TypeCountRow[]);
  }

  /** One cell with its current state (and its crop if asked). */
  getCell(cellId: number, opts: { crop?: boolean } = {}): CellRecord {
    const row = (opts.crop ? this.statements.cellWithCrop : this.statements.cell).get(cellId) as CellRow | undefined;
    if (!row) throw new CellNotFoundError(cellId);
    return toCellRecord(row);
  }

  /** The cells of a scan in the order they were counted; crops only when asked (they are the bulk of the file). */
  listCells(scanId: number, opts: { crops?: boolean; offset?: number; limit?: number } = {}): CellRecord[] {
    const stmt = opts.crops ? this.statements.cellsWithCrops : this.statements.cells;
    const rows = stmt.all(scanId, opts.limit ?? -1, opts.offset ?? 0) as CellRow[];
    return rows.map(toCellRecord);
  }

  /** The gallery JPEG of one cell, or null if none was stored. */
  cellCrop(cellId: number): Uint8Array | null {
    const row = this.statements.crop.get(cellId) as { crop_jpeg: Buffer | null } | undefined;
    if (!row) throw new CellNotFoundError(cellId);
    return row.crop_jpeg === null ? null : new Uint8Array(row.crop_jpeg);
  }

  /** Review history: of a scan, oldest first. */
  reviews(scanId: number): ReviewRecord[] {
    return (this.statements.reviewsOfScan.all(scanId) as ReviewRow[]).map(toReviewRecord);
  }

  // ---- differential and history --------------------------------------------------------------

  /**
   * The differential of a scan from its stored cells and reviews (cells still queued are reported
   * as `pending`, not counted). Cheap (one indexed query): call it after 'cells-stored'/'reviewed'.
   */
  differential(scanId: number): ScanDifferential {
    const scan = this.statements.scan.get(scanId) as ScanRow | undefined;
    if (!scan) throw new ScanNotFoundError(scanId, this.file);
    const { counts, rejected } = tallyTypes(this.statements.typeCounts.all(scanId) as TypeCountRow[]);
    const pending = this.pendingFor(scanId);
    return differentialFromCounts({ scanId, counts, rejected, pending, target: scan.target });
  }

  /** Past scans, newest first, with their counts. */
  listScans(opts: { limit?: number } = {}): ScanSummary[] {
    return (this.statements.scanSummaries.all(opts.limit ?? -1) as ScanSummaryRow[]).map(toScanSummary);
  }

  /** One scan with counts; `ref` is an id or 'latest'. */
  getScan(ref: ScanRef): ScanSummary {
    const id = this.resolveScanId(ref);
    return toScanSummary(this.statements.scanSummary.get(id) as ScanSummaryRow);
  }

  /** Resolves 'latest' or checks that an id exists. */
  resolveScanId(ref: ScanRef): number {
    const row =
      ref === 'latest'
        ? (this.statements.latestScan.get() as { id: number } | undefined)
        : (this.statements.scan.get(ref) as ScanRow | undefined);
    if (!row) throw new ScanNotFoundError(ref, this.file);
    return row.id;
  }

  /** Everything about one scan: summary, differential, cells (crops if asked), reviews and events. */
  loadScan(ref: ScanRef, opts: { crops?: boolean } = {}): LoadedScan {
    const id = this.resolveScanId(ref);
    return this.db.transaction(() => ({
      scan: this.getScan(id),
      differential: this.differential(id),
      cells: this.listCells(id, { crops: opts.crops }),
      reviews: this.reviews(id),
      events: this.scanEvents(id),
    }))();
  }

  scanEvents(scanId: number): ScanEventRecord[] {
    return (this.statements.eventsOfScan.all(scanId) as EventRow[]).map(toEventRecord);
  }

  /** Scans still open in the file whose process has gone (crash, kill -9, power loss), newest first. */
  interruptedScans(): ScanSummary[] {
    return (this.statements.openScanSummaries.all() as ScanSummaryRow[]).map(toScanSummary).filter((s) => s.interrupted);
  }

  protected scanRecord(id: number): ScanRecord {
    const row = this.statements.scan.get(id) as ScanRow | undefined;
    if (!row) throw new ScanNotFoundError(id, this.file);
    return toScanRecord(row);
  }

}
