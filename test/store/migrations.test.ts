import Database from 'better-sqlite3';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, ScanStore } from '../../src/store/index.js';
import { MIGRATIONS, SCHEMA_VERSION } from '../../src/store/schema.js';
import { SCAN_START, cell, tempHome } from './helpers/cells.js';

describe('schema migrations (PRAGMA user_version)', () => {
  let home: ReturnType<typeof tempHome> | null = null;
  afterEach(() => home?.cleanup());

  it('a version-1 file (no sessions) is migrated in place: cells, crops and reviews are kept', async () => {
    home = tempHome();
    const file = join(home.dir, DATABASE_FILE);
    // Write a database as the first release did: schema 1, a scan, two cells, one reviewed.
    const v1 = new Database(file);
    v1.pragma('journal_mode = WAL');
    v1.exec(MIGRATIONS[0]);
    v1.pragma('user_version = 1');
    v1.prepare(`INSERT INTO scans (id, source, model_name, model_sha256, software_version, operator, started_at_ms, status)
      VALUES (1, 'file.mp4', 'm', 'ab', '0.1.0', 'tech.a', 1000, 'completed')`).run();
    const insert = v1.prepare(`INSERT INTO cells (id, scan_id, track_id, type, confidence, votes_json, slide_x, slide_y,
      first_seen_ms, last_seen_ms, recorded_at_ms, crop_jpeg) VALUES (?, 1, ?, ?, 0.9, '{}', 0, 0, 0, 0, 0, ?)`);
    insert.run(10, 1, 'NEU', Buffer.from([0xff, 0xd8, 0xff, 0xd9]));
    insert.run(11, 2, 'LYM', null);
    v1.prepare(`INSERT INTO reviews (cell_id, scan_id, operator, at_ms, action, old_type, new_type)
      VALUES (10, 1, 'tech.b', 2000, 'reclassify', 'NEU', 'EOS')`).run();
    v1.close();

    const store = ScanStore.open(home.dir);
    try {
      expect(store.database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(store.database.pragma('foreign_keys', { simple: true })).toBe(1);
      const cells = store.listCells(1);
      expect(cells.map((c) => [c.id, c.session, c.trackId, c.modelType, c.type, c.hasCrop])).toEqual([
        [10, 0, 1, 'NEU', 'EOS', true],
        [11, 0, 2, 'LYM', 'LYM', false],
      ]);
      expect(store.cellCrop(10)).toEqual(new Uint8Array([0xff, 0xd8, 0xff, 0xd9]));
      expect(store.reviews(1)).toHaveLength(1);
      // The rebuilt table keeps its foreign keys: deleting the scan still removes its cells and reviews.
      store.database.prepare('DELETE FROM scans WHERE id = 1').run();
      expect(store.database.prepare('SELECT COUNT(*) FROM cells').pluck().get()).toBe(0);
      expect(store.database.prepare('SELECT COUNT(*) FROM reviews').pluck().get()).toBe(0);
      // And it takes new cells.
      const scan = store.startScan(SCAN_START);
      store.recordCells(scan.id, [cell(0)]);
      await store.flush();
      expect(store.differential(scan.id).counted).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('NEWER FILE - a file from a newer leukoscan is refused, not downgraded', () => {
    home = tempHome();
    const db = new Database(join(home.dir, DATABASE_FILE));
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    expect(() => ScanStore.open(home!.dir)).toThrow(new RegExp(`has schema version ${SCHEMA_VERSION + 1}, newer than this leukoscan understands \\(${SCHEMA_VERSION}\\); upgrade leukoscan`));
  });
});
