import type Database from 'better-sqlite3';
import { LEUKOCYTE_TYPES } from '../core/classes.js';

const TYPE_LIST = LEUKOCYTE_TYPES.map((t) => `'${t}'`).join(', ');

/**
 * Schema migrations, applied in order. `PRAGMA user_version` holds how many have run.
 * Append new ones; never edit one that has shipped.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: scans, counted cells, review audit, events; the current state of a cell is a view over reviews.
  `
  CREATE TABLE scans (
    id                  INTEGER PRIMARY KEY,
    source              TEXT    NOT NULL,
    model_name          TEXT    NOT NULL,
    model_sha256        TEXT    NOT NULL,
    model_version       TEXT,
    software_version    TEXT    NOT NULL,
    colour_profile_json TEXT,
    operator            TEXT    NOT NULL,
    target              INTEGER,
    started_at_ms       INTEGER NOT NULL,
    ended_at_ms         INTEGER,
    status              TEXT    NOT NULL CHECK (status IN ('running', 'paused', 'completed', 'aborted')),
    writer_pid          INTEGER,
    writer_host         TEXT
  );
  CREATE INDEX scans_started ON scans (started_at_ms);

  CREATE TABLE cells (
    id             INTEGER PRIMARY KEY,
    scan_id        INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    track_id       INTEGER NOT NULL,
    type           TEXT    NOT NULL CHECK (type IN (${TYPE_LIST})),
    confidence     REAL    NOT NULL,
    votes_json     TEXT    NOT NULL,
    slide_x        REAL    NOT NULL,
    slide_y        REAL    NOT NULL,
    slide_w        REAL,
    slide_h        REAL,
    segment        INTEGER,
    first_seen_ms  INTEGER NOT NULL,
    last_seen_ms   INTEGER NOT NULL,
    recorded_at_ms INTEGER NOT NULL,
    crop_jpeg      BLOB,
    UNIQUE (scan_id, track_id)
  );

  CREATE TABLE reviews (
    id        INTEGER PRIMARY KEY,
    cell_id   INTEGER NOT NULL REFERENCES cells (id) ON DELETE CASCADE,
    scan_id   INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    operator  TEXT    NOT NULL,
    at_ms     INTEGER NOT NULL,
    action    TEXT    NOT NULL CHECK (action IN ('reclassify', 'reject', 'restore')),
    old_type  TEXT CHECK (old_type IS NULL OR old_type IN (${TYPE_LIST})),
    new_type  TEXT CHECK (new_type IS NULL OR new_type IN (${TYPE_LIST})),
    note      TEXT
  );
  CREATE INDEX reviews_cell ON reviews (cell_id, id);
  CREATE INDEX reviews_scan ON reviews (scan_id, id);

  CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    scan_id     INTEGER REFERENCES scans (id) ON DELETE CASCADE,
    at_ms       INTEGER NOT NULL,
    kind        TEXT    NOT NULL,
    detail_json TEXT
  );
  CREATE INDEX events_scan ON events (scan_id, id);

  -- The counted type of each cell: the last review's new_type (NULL = rejected), else the model's.
  CREATE VIEW cell_current AS
  SELECT c.id AS cell_id,
         c.scan_id AS scan_id,
         c.type AS model_type,
         CASE WHEN r.id IS NULL THEN c.type ELSE r.new_type END AS current_type,
         r.id AS last_review_id
    FROM cells c
    LEFT JOIN reviews r ON r.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.cell_id = c.id);
  `,
  // 2: writer sessions. A resumed scan's tracker starts its ids at 1 again, so a cell is unique by
  // (scan, session, track id); session 0 is the first, each resumeScan() starts the next.
  // SQLite cannot change a table constraint in place: rebuild `cells` (foreign keys are off while
  // migrations run, see migrate()), keeping every id so that reviews still point at their cells.
  `
  DROP VIEW cell_current;
  CREATE TABLE cells_v2 (
    id             INTEGER PRIMARY KEY,
    scan_id        INTEGER NOT NULL REFERENCES scans (id) ON DELETE CASCADE,
    session        INTEGER NOT NULL DEFAULT 0,
    track_id       INTEGER NOT NULL,
    type           TEXT    NOT NULL CHECK (type IN (${TYPE_LIST})),
    confidence     REAL    NOT NULL,
    votes_json     TEXT    NOT NULL,
    slide_x        REAL    NOT NULL,
    slide_y        REAL    NOT NULL,
    slide_w        REAL,
    slide_h        REAL,
    segment        INTEGER,
    first_seen_ms  INTEGER NOT NULL,
    last_seen_ms   INTEGER NOT NULL,
    recorded_at_ms INTEGER NOT NULL,
    crop_jpeg      BLOB,
    UNIQUE (scan_id, session, track_id)
  );
  INSERT INTO cells_v2 (id, scan_id, session, track_id, type, confidence, votes_json, slide_x, slide_y, slide_w, slide_h,
                        segment, first_seen_ms, last_seen_ms, recorded_at_ms, crop_jpeg)
  SELECT id, scan_id, 0, track_id, type, confidence, votes_json, slide_x, slide_y, slide_w, slide_h,
         segment, first_seen_ms, last_seen_ms, recorded_at_ms, crop_jpeg
    FROM cells;
  DROP TABLE cells;
  ALTER TABLE cells_v2 RENAME TO cells;
  CREATE INDEX cells_scan_track ON cells (scan_id, track_id, session);
  CREATE VIEW cell_current AS
  SELECT c.id AS cell_id,
         c.scan_id AS scan_id,
         c.type AS model_type,
         CASE WHEN r.id IS NULL THEN c.type ELSE r.new_type END AS current_type,
         r.id AS last_review_id
    FROM cells c
    LEFT JOIN reviews r ON r.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.cell_id = c.id);
  `,
  // 3: an interrupted scan (its process died) that the operator closed instead of resuming is
  // 'interrupted': ended, with the counts it had. Rebuild `scans` to widen the status check.
  `
  CREATE TABLE scans_v3 (
    id                  INTEGER PRIMARY KEY,
    source              TEXT    NOT NULL,
    model_name          TEXT    NOT NULL,
    model_sha256        TEXT    NOT NULL,
    model_version       TEXT,
    software_version    TEXT    NOT NULL,
    colour_profile_json TEXT,
    operator            TEXT    NOT NULL,
    target              INTEGER,
    started_at_ms       INTEGER NOT NULL,
    ended_at_ms         INTEGER,
    status              TEXT    NOT NULL CHECK (status IN ('running', 'paused', 'completed', 'aborted', 'interrupted')),
    writer_pid          INTEGER,
    writer_host         TEXT
  );
  INSERT INTO scans_v3 SELECT id, source, model_name, model_sha256, model_version, software_version, colour_profile_json,
         operator, target, started_at_ms, ended_at_ms, status, writer_pid, writer_host FROM scans;
  DROP TABLE scans;
  ALTER TABLE scans_v3 RENAME TO scans;
  CREATE INDEX scans_started ON scans (started_at_ms);
  `,
  // 4: a count the tracker took back (a segment merge showed the cell to be one counted earlier):
  // the cell stays in the file for the audit trail, marked retracted (when, and the store id of the
  // cell kept), and leaves cell_current, so the differential, the cell lists and review skip it.
  `
  ALTER TABLE cells ADD COLUMN retracted_at_ms INTEGER;
  ALTER TABLE cells ADD COLUMN retracted_into INTEGER;
  DROP VIEW cell_current;
  CREATE VIEW cell_current AS
  SELECT c.id AS cell_id,
         c.scan_id AS scan_id,
         c.type AS model_type,
         CASE WHEN r.id IS NULL THEN c.type ELSE r.new_type END AS current_type,
         r.id AS last_review_id
    FROM cells c
    LEFT JOIN reviews r ON r.id = (SELECT MAX(r2.id) FROM reviews r2 WHERE r2.cell_id = c.id)
   WHERE c.retracted_at_ms IS NULL;
  `,
];

export const SCHEMA_VERSION = MIGRATIONS.length;

/** Brings the file up to SCHEMA_VERSION; throws if the file is newer than this build. */
export function migrate(db: Database.Database, file: string): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) {
    throw new Error(
      `${file} has schema version ${current}, newer than this leukoscan understands (${SCHEMA_VERSION}); upgrade leukoscan`,
    );
  }
  if (current === SCHEMA_VERSION) return;
  // Table rebuilds (SQLite's documented procedure) need foreign keys off, outside any transaction.
  const foreignKeys = db.pragma('foreign_keys', { simple: true }) as number;
  db.pragma('foreign_keys = OFF');
  try {
    for (let v = current; v < SCHEMA_VERSION; v++) {
      db.transaction(() => {
        db.exec(MIGRATIONS[v]);
        const broken = db.pragma('foreign_key_check') as unknown[];
        if (broken.length > 0) throw new Error(`${file}: migration ${v + 1} left ${broken.length} broken references; nothing was changed`);
        db.pragma(`user_version = ${v + 1}`);
      })();
    }
  } finally {
    db.pragma(`foreign_keys = ${foreignKeys ? 'ON' : 'OFF'}`);
  }
}
