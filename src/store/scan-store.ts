import type Database from 'better-sqlite3';
import { hostname } from 'node:os';
import { Subject, type Observable } from 'rxjs';
import { LEUKOCYTE_TYPES, isLeukocyteType, type LeukocyteType } from '../core/classes.js';
import { resolveHome, type StoreConfig } from './config.js';
import { storeConfig, type ScanStoreOptions } from './store-options.js';
import { validateCells, validateRetracts, validateRetypes } from './cell-input.js';
import { CellNotFoundError, ScanNotWritableError } from './errors.js';
import { batchEvents, writeFailureEvents } from './write-events.js';
import { openDatabase } from './open-database.js';
import { toReviewRecord, type ReviewRow } from './rows.js';
import { softwareVersion } from './software-version.js';
import type { CellRetractInput, CellRetypeInput, CountedCellInput, ScanDifferential, ReviewAction, ReviewRecord, ScanRecord, ScanStart, StoreEvent } from './types.js';
import { ScanReads, type ScanRef } from './scan-reads.js';
import { WriteQueue } from './write-queue.js';
import type { BatchResult, QueuedWrite } from './batch-writer.js';
import { InlineWriter, WorkerWriter, type BatchWriter } from './writer.js';

export type { ScanRef } from './scan-reads.js';
export type { ScanStoreOptions } from './store-options.js';

/**
 * Persistent store of scans, counted cells, reviews and events: one SQLite file (WAL) in the
 * data directory. One ScanStore owns its connection; call close() to release it.
 *
 * Writes of counted cells are batched off the hot path: recordCells() only validates and queues,
 * and the queue commits on a timer or once enough cells wait (see StoreConfig). A committed batch
 * survives kill -9 and (with synchronous FULL) power loss; cells still queued at that moment are not
 * in the file. The differential is always derived from stored cells + reviews.
 */
export class ScanStore extends ScanReads {
  private readonly subject = new Subject<StoreEvent>();
  /** Live notifications: cells committed, write errors / pause / resume, reviews, scan lifecycle. */
  readonly events$: Observable<StoreEvent> = this.subject.asObservable();
  private readonly queue: WriteQueue<QueuedWrite, BatchResult>;
  private readonly writer: BatchWriter;
  private readonly now: () => number;
  /** Writer session of each scan this store started or resumed (a cell is unique by scan, session, track id). */
  private readonly sessions = new Map<number, number>();
  private closed = false;

  private constructor(
    db: Database.Database,
    /** The database file. */
    file: string,
    /** Set when a corrupt file was moved aside at open (onCorrupt 'reset'). */
    readonly recoveredFrom: { readonly backup: string; readonly detail: string } | null,
    readonly config: StoreConfig,
    options: ScanStoreOptions,
  ) {
    super(db, file);
    this.now = options.now ?? Date.now;
    this.writer =
      options.writer === 'inline'
        ? new InlineWriter(db)
        : new WorkerWriter({ file, config: { busyTimeoutMs: config.busyTimeoutMs, synchronous: config.synchronous } });
    this.queue = new WriteQueue<QueuedWrite, BatchResult>({
      config,
      timers: options.timers,
      write: (batch) => this.writer.write(batch),
      onWritten: (result) => this.emit(batchEvents(result)),
      onFailure: (failure) => this.emit(writeFailureEvents(this.file, failure)),
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

  /**
   * The tracker took counts back (a segment merge showed each cell to be one counted earlier): the
   * cells are marked retracted, queued after them, and leave the scan's cells, differential and
   * review. Logged as 'cell-retracted' events naming the cell kept; events$ 'cells-retracted'.
   */
  retractCells(scanId: number, retracts: readonly CellRetractInput[]): void {
    this.assertOpen();
    const session = this.sessionOf(scanId);
    validateRetracts(scanId, retracts);
    const atMs = this.now();
    this.queue.enqueue(retracts.map((retract) => ({ kind: 'retract' as const, scanId, session, retract, atMs })));
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

  // ---- review --------------------------------------------------------------------------------

  /**
   * A technologist reclassifies, rejects or restores one cell. The change is audited (who, when,
   * old → new) and the differential recomputed from the stored state. Queued cells are flushed
   * first so a cell just shown in the gallery can be reviewed.
   */
  async review(cellId: number, action: ReviewAction, operator: string): Promise<{ review: ReviewRecord; differential: ScanDifferential }> {
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

  protected pendingFor(scanId: number): number {
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

  private emit(events: readonly StoreEvent[]): void {
    for (const e of events) this.subject.next(e);
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
