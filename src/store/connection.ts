import Database from 'better-sqlite3';
import type { StoreConfig } from './config.js';

/** Opens a connection with the store's pragmas (WAL, synchronous, busy timeout, foreign keys). */
export function openConnection(file: string, config: Pick<StoreConfig, 'busyTimeoutMs' | 'synchronous'>): Database.Database {
  const db = new Database(file);
  try {
    applyPragmas(db, config);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

export function applyPragmas(db: Database.Database, config: Pick<StoreConfig, 'busyTimeoutMs' | 'synchronous'>): void {
  db.pragma(`busy_timeout = ${config.busyTimeoutMs}`);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${config.synchronous}`);
  db.pragma('foreign_keys = ON');
}
