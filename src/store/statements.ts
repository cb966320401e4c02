/**
 * The scan store's SQL: every prepared statement, and the per-type tally of `current_type, COUNT(*)` rows.
 * Cells are read through `cell_current`, which leaves retracted cells out (schema 4).
 */
import type Database from 'better-sqlite3';
import type { LeukocyteType } from '../core/classes.js';

const SCAN_SUMMARY_SQL = `
  SELECT s.*,
         (SELECT COUNT(*) FROM cell_current cc WHERE cc.scan_id = s.id) AS cells_stored,
         (SELECT COUNT(*) FROM cell_current cc WHERE cc.scan_id = s.id AND cc.current_type IS NULL) AS cells_rejected,
         (SELECT COUNT(*) FROM reviews r WHERE r.scan_id = s.id) AS reviews
    FROM scans s`;

const CELL_COLUMNS = `c.id, c.scan_id, c.session, c.track_id, c.type, cc.current_type, cc.last_review_id, c.confidence, c.votes_json,
  c.slide_x, c.slide_y, c.slide_w, c.slide_h, c.segment, c.first_seen_ms, c.last_seen_ms, c.recorded_at_ms,
  (c.crop_jpeg IS NOT NULL) AS has_crop`;

export interface TypeCountRow {
  readonly current_type: LeukocyteType | null;
  readonly n: number;
}

/** Per-type counts and the rejected count from `current_type, COUNT(*)` rows. */
export function tallyTypes(rows: readonly TypeCountRow[]): { counts: Partial<Record<LeukocyteType, number>>; rejected: number } {
  const counts: Partial<Record<LeukocyteType, number>> = {};
  let rejected = 0;
  for (const row of rows) {
    if (row.current_type === null) rejected = row.n;
    else counts[row.current_type] = row.n;
  }
  return { counts, rejected };
}

export type Statements = ReturnType<typeof prepareStatements>;

export function prepareStatements(db: Database.Database) {
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
    countCells: db.prepare('SELECT COUNT(*) AS n FROM cell_current WHERE scan_id = ?').pluck(),
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
    crop: db.prepare('SELECT crop_jpeg FROM cells WHERE id = ? AND retracted_at_ms IS NULL'),
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
