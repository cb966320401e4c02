import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { Subject, type Observable } from 'rxjs';
import { LEUKOCYTE_TYPES, isLeukocyteType, type LeukocyteType } from '../core/classes.js';
import { STORE_DEFAULTS, resolveHome, type StoreConfig } from './config.js';
import { validateCells, validateRetypes } from './cell-input.js';
import { differentialFromCounts } from './differential.js';
import { CellNotFoundError, ScanNotFoundError, ScanNotWritableError, isDiskFullError } from './errors.js';
import { openDatabase } from './open-database.js';
import {
  toCellRecord,
  toEventRecord,
  toReviewRecord,
  toScanRecord,
  toScanSummary,
  type CellRow,
  type EventRow,
  type ReviewRow,
  type ScanRow,
  type ScanSummaryRow,
} from './rows.js';
import { softwareVersion } from './software-version.js';
import type {
  CellRecord,
  CellRetypeInput,
  CountedCellInput,
  Differential,
  LoadedScan,
  ReviewAction,
  ReviewRecord,
  ScanEventRecord,
  ScanRecord,
  ScanStart,
  ScanSummary,
  StoreEvent,
} from './types.js';
import { WriteQueue, type QueueTimers } from './write-queue.js';
import type { BatchResult, QueuedWrite } from './batch-writer.js';
import { InlineWriter, WorkerWriter, type BatchWriter } from './writer.js';

export interface ScanStoreOptions extends Partial<StoreConfig> {
  /**
   * Where batches are committed: 'worker' (default) in a writer thread with its own connection, so
   * a commit's fsync never blocks the event loop; 'inline' on this connection, synchronously.
   */
  readonly writer?: 'worker' | 'inline';
  /** Clock for stored times (ms since epoch); defaults to Date.now. */
  readonly now?: () => number;
  /** Timers of the write queue (tests). */
  readonly timers?: QueueTimers;
  /** False for read-only commands: a missing database is NoDatabaseError, never created. Default true. */
  readonly create?: boolean;
}

/** A scan reference: its id, or 'latest' (the most recently started). */
export type ScanRef = number | 'latest';

const SCAN_SUMMARY_SQL = `
  SELECT s.*,
         (SELECT COUNT(*) FROM cells c WHERE c.scan_id = s.id) AS cells_stored,
         (SELECT COUNT(*) FROM cell_current cc WHERE cc.scan_id = s.id AND cc.current_type IS NULL) AS cells_rejected,
         (SELECT COUNT(*) FROM reviews r WHERE r.scan_id = s.id) AS reviews
    FROM scans s`;

const CELL_COLUMNS = `c.id, c.scan_id, c.session, c.track_id, c.type, cc.current_type, cc.last_review_id, c.confidence, c.votes_json,
  c.slide_x, c.slide_y, c.slide_w, c.slide_h, c.segment, c.first_seen_ms, c.last_seen_ms, c.recorded_at_ms,
  (c.crop_jpeg IS NOT NULL) AS has_crop`;

/**
 * Persistent store of scans, counted cells, reviews and events: one SQLite file (WAL) in the
 * data directory. One ScanStore owns its connection; call close() to release it.
 *
 * Writes of counted cells are batched off the hot path: recordCells() only validates and queues,
 * and the queue commits on a timer or once enough cells wait (see StoreConfig). A committed batch
 * survives kill -9 and (with synchronous FULL) power loss; cells still queued at that moment are not
 * in the file. The differential is always derived from stored cells + reviews.
 */
export class ScanStore {
  private readonly subject = new Subject<StoreEvent>();
  /** Live notifications: cells committed, write errors / pause / resume, reviews, scan lifecycle. */
  readonly events$: Observable<StoreEvent> = this.subject.asObservable();
  private readonly queue: WriteQueue<QueuedWrite, BatchResult>;
  private readonly writer: BatchWriter;
  private readonly statements: ReturnType<typeof prepare>;
  private readonly now: () => number;
  /** Writer session of each scan this store started or resumed (a cell is unique by scan, session, track id). */
  private readonly sessions = new Map<number, number>();
  private closed = false;

  private constructor(
    private readonly db: Database.Database,
    /** The database file. */
    readonly file: string,
    /** Set when a corrupt file was moved aside at open (onCorrupt 'reset'). */
    readonly recoveredFrom: { readonly backup: string; readonly detail: string } | null,
    readonly config: StoreConfig,
    options: ScanStoreOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.statements = prepare(db);
    this.writer =
      options.writer === 'inline'
        ? new InlineWriter(db)
        : new WorkerWriter({ file, config: { busyTimeoutMs: config.busyTimeoutMs, synchronous: config.synchronous } });
    this.queue = new WriteQueue<QueuedWrite, BatchResult>({
      config,
      timers: options.timers,
      write: (batch) => this.writer.write(batch),
      onWritten: ({ stored, flushMs }) => {
        for (const { scanId, cells } of stored) this.subject.next({ type: 'cells-stored', scanId, cells, flushMs });
      },
      onFailure: ({ error, pending, retryInMs, first }) => {
        const diskFull = isDiskFullError(error);
        const code = String((error as { code?: unknown }).code ?? 'ERROR');
        const message = error instanceof Error ? error.message : String(error);
        if (first) {
          this.subject.next({
            type: 'paused',
            reason: diskFull ? 'disk-full' : 'write-error',
            message: `writing counted cells to ${this.file} failed (${code}: ${message}); ${pending} cells are held in memory and the write is retried`,
          });
        }
        this.subject.next({ type: 'write-error', code, message, diskFull, pending, retryInMs });
      },
      onRecovered: ({ pausedMs, written }) => {
        this.tryLogEvent(null, 'write-recovered', { pausedMs, written });
        this.subject.next({ type: 'resumed', pausedMs, written });
      },
    });
  }

  /**
   * Opens (or creates) the store in `dir` (default: LEUKOSCAN_HOME, else ~/.local/share/leukoscan).
   * Throws CorruptDatabaseError (a copy of the damaged file kept) unless options.onCorrupt is 'reset'.
   */
  static open(dir?: string, options: ScanStoreOptions = {}): ScanStore {
    const config = storeConfig(options);
    const home = resolveHome(dir);
    const opened = openDatabase(home, config, undefined, { create: options.create });
    const store = new ScanStore(opened.db, opened.file, opened.recoveredFrom, config, options);
    if (opened.recoveredFrom) store.tryLogEvent(null, 'database-reset', opened.recoveredFrom);
    return store;
  }

  /** The underlying connection, for diagnostics and tests (e.g. PRAGMA max_page_count). Do not write through it. */
  get database(): Database.Database {
    return this.db;
  }

  /** Cells queued in memory, not yet committed. */
  get pendingCells(): number {
    return this.queue.pending;
  }

  /** True while writes fail (disk full) and queued cells wait for the retry. */
  get writesFailing(): boolean {
    return this.queue.failing;
  }

  /** Runs a PRAGMA on the connection that commits cells (diagnostics and tests: e.g. 'max_page_count = 100'). */
  writerPragma(pragma: string): Promise<unknown> {
    this.assertOpen();
    return this.writer.pragma(pragma);
  }

  // ---- scans ---------------------------------------------------------------------------------

  startScan(start: ScanStart): ScanRecord {
    this.assertOpen();
    const startedAtMs = start.startedAtMs ?? this.now();
    const id = this.db.transaction(() => {
      const info = this.statements.insertScan.run({
        source: start.source,
        model_name: start.model.name,
        model_sha256: start.model.sha256,
        model_version: start.model.version ?? null,
        software_version: start.softwareVersion ?? softwareVersion(),
        colour_profile_json: start.colourProfile === undefined ? null : JSON.stringify(start.colourProfile),
        operator: start.operator,
        target: start.target ?? null,
        started_at_ms: startedAtMs,
        writer_pid: process.pid,
        writer_host: hostname(),
      });
      const scanId = Number(info.lastInsertRowid);
      this.logEvent(scanId, 'scan-started', { operator: start.operator, source: start.source });
      return scanId;
    })();
    this.sessions.set(id, 0);
    const scan = this.scanRecord(id);
    this.writer.warm(); // the writer thread starts while the technologist starts moving the slide
    this.subject.next({ type: 'scan-started', scan });
    return scan;
  }

  /**
   * Takes over a scan that is running/paused in the file (typically interrupted by a crash or power
   * loss) so that this process goes on writing to it. Its counts are exactly the committed cells.
   */
  resumeScan(ref: ScanRef): ScanRecord {
    this.assertOpen();
    const before = this.scanRecord(this.resolveScanId(ref));
    if (before.status !== 'running' && before.status !== 'paused') {
      throw new ScanNotWritableError(`scan #${before.id} is ${before.status}; only a running, paused or interrupted-but-open scan can be resumed`);
    }
    // A new session: the resumed pipeline's tracker may number its cells from 1 again. It follows the
    // stored sessions and, in this process, the current one (whose cells may still be queued).
    const stored = this.statements.maxSession.get(before.id) as number | null;
    const session = Math.max((stored ?? -1) + 1, (this.sessions.get(before.id) ?? -1) + 1);
    this.db.transaction(() => {
      this.statements.setWriter.run({ id: before.id, writer_pid: process.pid, writer_host: hostname() });
      this.logEvent(before.id, 'scan-resumed', { interrupted: before.interrupted, cells: this.statements.countCells.get(before.id), session });
    })();
    this.sessions.set(before.id, session);
    const scan = this.scanRecord(before.id);
    this.writer.warm();
    this.subject.next({ type: 'scan-resumed', scan });
    return scan;
  }

  /** Scans still open in the file whose process has gone (crash, kill -9, power loss), newest first. */
  interruptedScans(): ScanSummary[] {
    return (this.statements.openScanSummaries.all() as ScanSummaryRow[]).map(toScanSummary).filter((s) => s.interrupted);
  }

  /** Closes an interrupted scan instead of resuming it: status 'interrupted', its counts as they are. */
  closeInterrupted(scanId: number): ScanRecord {
    const scan = this.scanRecord(this.resolveScanId(scanId));
    if (!scan.interrupted || scan.status === 'interrupted') {
      throw new ScanNotWritableError(`scan #${scanId} is not interrupted (it is ${scan.status}${scan.status === 'running' || scan.status === 'paused' ? ' and its process is alive' : ''})`);
    }
    const closed = this.setStatus(scanId, 'interrupted', 'scan-ended', { status: 'interrupted' }, this.now());
    this.subject.next({ type: 'scan-ended', scan: closed });
    return closed;
  }

  /** Marks a scan paused (by the operator or the pipeline); recordCells still accepts cells for it. */
  pauseScan(scanId: number, reason = 'operator'): ScanRecord {
    return this.setStatus(scanId, 'paused', 'scan-paused', { reason });
  }

  /** Flushes queued cells, then marks the scan completed (or aborted) with its end time. */
  async endScan(scanId: number, status: 'completed' | 'aborted' = 'completed'): Promise<ScanRecord> {
    await this.flush();
    const scan = this.setStatus(scanId, status, 'scan-ended', { status }, this.now());
    this.subject.next({ type: 'scan-ended', scan });
    return scan;
  }

  // ---- counted cells -------------------------------------------------------------------------

  /**
   * Queues counted cells of a running scan. Validates them (InvalidCellError) and returns at once;
   * they are committed in the background (see events$ 'cells-stored'). Throws
   * StoreBackpressureError when writes have failed for so long that maxPendingCells are waiting.
   */
  recordCells(scanId: number, cells: readonly CountedCellInput[]): void {
    this.assertOpen();
    const session = this.sessionOf(scanId);
    validateCells(scanId, cells);
    const recordedAtMs = this.now();
    this.queue.enqueue(cells.map((cell) => ({ kind: 'cell' as const, scanId, session, cell, recordedAtMs })));
  }

  /**
   * The tracker changed its mind about a counted cell (more observations): the model's type is
   * updated, queued after the cell itself. A technologist's review, if any, still decides the
   * counted type; 'restore' goes back to the latest model type. Logged as a 'cell-retyped' event.
   */
  retypeCells(scanId: number, retypes: readonly CellRetypeInput[]): void {
    this.assertOpen();
    const session = this.sessionOf(scanId);
    validateRetypes(scanId, retypes);
    const atMs = this.now();
    this.queue.enqueue(retypes.map((retype) => ({ kind: 'retype' as const, scanId, session, retype, atMs })));
  }

  /** Commits everything queued now. Rejects with the write error if the disk refuses (cells stay queued, retried). */
  async flush(): Promise<void> {
    this.assertOpen();
    if (!(await this.queue.flush())) {
      throw new Error(`cannot write counted cells to ${this.file} now (${this.queue.lastError}); ${this.queue.pending} cells are queued and retried`);
    }
  }

  /** Store id of a scan's cell by its tracker id, in the newest session that has it (writes what is queued first), or null. */
  async cellIdForTrack(scanId: number, trackId: number): Promise<number | null> {
    await this.queue.flush();
    const row = this.statements.cellIdByTrack.get(scanId, trackId) as { id: number } | undefined;
    return row?.id ?? null;
  }

  /** The writer session this store writes a scan's cells under, or null if it did not start or resume it. */
  writerSession(scanId: number): number | null {
    return this.sessions.get(scanId) ?? null;
  }

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

  // ---- review --------------------------------------------------------------------------------

  /**
   * A technologist reclassifies, rejects or restores one cell. The change is audited (who, when,
   * old → new) and the differential recomputed from the stored state. Queued cells are flushed
   * first so a cell just shown in the gallery can be reviewed.
   */
  async review(cellId: number, action: ReviewAction, operator: string): Promise<{ review: ReviewRecord; differential: Differential }> {
    this.assertOpen();
    if (!operator) throw new Error('a review needs the operator who made it');
    if (action.kind === 'reclassify' && !isLeukocyteType(action.to)) {
      throw new Error(`cannot reclassify cell ${cellId} as '${String(action.to)}': not one of ${LEUKOCYTE_TYPES.join(', ')}`);
    }
    await this.queue.flush(); // a failure here (disk full) surfaces below if the review cannot be written either
    const review = this.db.transaction(() => {
      const current = this.statements.cellState.get(cellId) as
        | { scan_id: number; model_type: LeukocyteType; current_type: LeukocyteType | null }
        | undefined;
      if (!current) throw new CellNotFoundError(cellId);
      const newType = action.kind === 'reclassify' ? action.to : action.kind === 'restore' ? current.model_type : null;
      const info = this.statements.insertReview.run({
        cell_id: cellId,
        scan_id: current.scan_id,
        operator,
        at_ms: this.now(),
        action: action.kind,
        old_type: current.current_type,
        new_type: newType,
        note: action.note ?? null,
      });
      return toReviewRecord(this.statements.review.get(Number(info.lastInsertRowid)) as ReviewRow);
    })();
    const differential = this.differential(review.scanId);
    this.subject.next({ type: 'reviewed', review, differential });
    return { review, differential };
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
  differential(scanId: number): Differential {
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

  /**
   * Flushes what is queued and closes the connection. If queued cells cannot be written (disk
   * full), it throws and stays open, so the caller can free space and close again (nothing lost),
   * unless `force` is set, in which case the queued cells are dropped and their number reported.
   */
  async close(opts: { force?: boolean } = {}): Promise<{ droppedCells: number }> {
    if (this.closed) return { droppedCells: 0 };
    const flushed = await this.queue.flush();
    if (!flushed && !opts.force) {
      throw new Error(
        `cannot close ${this.file}: ${this.queue.pending} counted cells could not be written (${this.queue.lastError}); free disk space and close again`,
      );
    }
    const droppedCells = flushed ? 0 : this.queue.pending;
    this.queue.close();
    this.closed = true;
    await this.writer.close();
    this.db.close();
    this.subject.complete();
    return { droppedCells };
  }

  // ---- internals -----------------------------------------------------------------------------

  /** The session this store writes a scan's cells under; only a scan it started or resumed takes cells. */
  private sessionOf(scanId: number): number {
    const session = this.sessions.get(scanId);
    if (session === undefined) {
      throw new ScanNotWritableError(`scan #${scanId} was not started or resumed by this store: call startScan() or resumeScan(${scanId}) first`);
    }
    return session;
  }

  private pendingFor(scanId: number): number {
    // The queue is bounded and usually a few dozen cells: a linear count is fine.
    return this.queue.countPending((q) => q.kind === 'cell' && q.scanId === scanId);
  }

  private setStatus(scanId: number, status: ScanRecord['status'], kind: string, detail: unknown, endedAtMs?: number): ScanRecord {
    this.assertOpen();
    this.resolveScanId(scanId);
    this.db.transaction(() => {
      this.statements.setStatus.run({ id: scanId, status, ended_at_ms: endedAtMs ?? null });
      this.logEvent(scanId, kind, detail);
    })();
    return this.scanRecord(scanId);
  }

  private scanRecord(id: number): ScanRecord {
    const row = this.statements.scan.get(id) as ScanRow | undefined;
    if (!row) throw new ScanNotFoundError(id, this.file);
    return toScanRecord(row);
  }

  private logEvent(scanId: number | null, kind: string, detail: unknown): void {
    this.statements.insertEvent.run(scanId, this.now(), kind, detail === undefined ? null : JSON.stringify(detail));
  }

  /** Event logging that must not fail the caller (e.g. right after a disk-full spell). */
  private tryLogEvent(scanId: number | null, kind: string, detail: unknown): void {
    try {
      this.logEvent(scanId, kind, detail);
    } catch {
      /* the event is also on events$; losing the audit line of a recovery is acceptable */
    }
  }

  private assertOpen(): void {
    if (this.closed) throw new Error(`the scan store ${this.file} is closed`);
  }
}

interface TypeCountRow {
  readonly current_type: LeukocyteType | null;
  readonly n: number;
}

/** Per-type counts and the rejected count from `current_type, COUNT(*)` rows. */
function tallyTypes(rows: readonly TypeCountRow[]): { counts: Partial<Record<LeukocyteType, number>>; rejected: number } {
  const counts: Partial<Record<LeukocyteType, number>> = {};
  let rejected = 0;
  for (const row of rows) {
    if (row.current_type === null) rejected = row.n;
    else counts[row.current_type] = row.n;
  }
  return { counts, rejected };
}

/** The defaults, overridden by the StoreConfig fields of `options` that are set (other options are not config). */
function storeConfig(options: ScanStoreOptions): StoreConfig {
  const config: Record<string, unknown> = { ...STORE_DEFAULTS };
  for (const key of Object.keys(STORE_DEFAULTS)) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) config[key] = value;
  }
  return config as unknown as StoreConfig;
}

function prepare(db: Database.Database) {
  return {
    insertScan: db.prepare(`INSERT INTO scans (source, model_name, model_sha256, model_version, software_version,
        colour_profile_json, operator, target, started_at_ms, status, writer_pid, writer_host)
      VALUES (@source, @model_name, @model_sha256, @model_version, @software_version, @colour_profile_json, @operator,
        @target, @started_at_ms, 'running', @writer_pid, @writer_host)`),
    scan: db.prepare('SELECT * FROM scans WHERE id = ?'),
    latestScan: db.prepare('SELECT id FROM scans ORDER BY started_at_ms DESC, id DESC LIMIT 1'),
    scanSummary: db.prepare(`${SCAN_SUMMARY_SQL} WHERE s.id = ?`),
    scanSummaries: db.prepare(`${SCAN_SUMMARY_SQL} ORDER BY s.started_at_ms DESC, s.id DESC LIMIT ?`),
    openScanSummaries: db.prepare(`${SCAN_SUMMARY_SQL} WHERE s.status IN ('running', 'paused') ORDER BY s.started_at_ms DESC, s.id DESC`),
    setStatus: db.prepare(
      'UPDATE scans SET status = @status, ended_at_ms = COALESCE(@ended_at_ms, ended_at_ms) WHERE id = @id',
    ),
    setWriter: db.prepare(
      "UPDATE scans SET status = 'running', writer_pid = @writer_pid, writer_host = @writer_host WHERE id = @id",
    ),
    countCells: db.prepare('SELECT COUNT(*) AS n FROM cells WHERE scan_id = ?').pluck(),
    cellIdByTrack: db.prepare('SELECT id FROM cells WHERE scan_id = ? AND track_id = ? ORDER BY session DESC LIMIT 1'),
    maxSession: db.prepare('SELECT MAX(session) FROM cells WHERE scan_id = ?').pluck(),
    cell: db.prepare(`SELECT ${CELL_COLUMNS} FROM cells c JOIN cell_current cc ON cc.cell_id = c.id WHERE c.id = ?`),
    cellWithCrop: db.prepare(
      `SELECT ${CELL_COLUMNS}, c.crop_jpeg FROM cells c JOIN cell_current cc ON cc.cell_id = c.id WHERE c.id = ?`,
    ),
    cells: db.prepare(
      `SELECT ${CELL_COLUMNS} FROM cells c JOIN cell_current cc ON cc.cell_id = c.id WHERE c.scan_id = ? ORDER BY c.id LIMIT ? OFFSET ?`,
    ),
    cellsWithCrops: db.prepare(
      `SELECT ${CELL_COLUMNS}, c.crop_jpeg FROM cells c JOIN cell_current cc ON cc.cell_id = c.id WHERE c.scan_id = ? ORDER BY c.id LIMIT ? OFFSET ?`,
    ),
    crop: db.prepare('SELECT crop_jpeg FROM cells WHERE id = ?'),
    cellState: db.prepare('SELECT scan_id, model_type, current_type FROM cell_current WHERE cell_id = ?'),
    typeCounts: db.prepare('SELECT current_type, COUNT(*) AS n FROM cell_current WHERE scan_id = ? GROUP BY current_type'),
    typeCountsBefore: db.prepare(
      'SELECT cc.current_type, COUNT(*) AS n FROM cells c JOIN cell_current cc ON cc.cell_id = c.id WHERE c.scan_id = ? AND c.session < ? GROUP BY cc.current_type',
    ),
    reviewedTracks: db.prepare(`SELECT c.track_id, cc.current_type FROM cells c JOIN cell_current cc ON cc.cell_id = c.id
      JOIN reviews r ON r.id = cc.last_review_id WHERE c.scan_id = ? AND c.session >= ? AND r.action != 'restore'`),
    insertReview: db.prepare(`INSERT INTO reviews (cell_id, scan_id, operator, at_ms, action, old_type, new_type, note)
      VALUES (@cell_id, @scan_id, @operator, @at_ms, @action, @old_type, @new_type, @note)`),
    review: db.prepare('SELECT * FROM reviews WHERE id = ?'),
    reviewsOfScan: db.prepare('SELECT * FROM reviews WHERE scan_id = ? ORDER BY id'),
    insertEvent: db.prepare('INSERT INTO events (scan_id, at_ms, kind, detail_json) VALUES (?, ?, ?, ?)'),
    eventsOfScan: db.prepare('SELECT * FROM events WHERE scan_id = ? ORDER BY id'),
  };
}
