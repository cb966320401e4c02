import { homedir } from 'node:os';
import { join, resolve } from 'node:path';

/** Every storage threshold and size, with its default, in one place. */
export interface StoreConfig {
  /** Queued cells are written at the latest this long after the first one was queued (ms). */
  readonly flushIntervalMs: number;
  /** A flush starts (on the next tick, never inside recordCells) once this many cells are queued. */
  readonly flushMaxCells: number;
  /** Most cells written in one transaction; a longer backlog is written in several. */
  readonly maxCellsPerTransaction: number;
  /**
   * Most cells held in memory while the disk refuses writes (e.g. SQLITE_FULL).
   * Past it, recordCells throws StoreBackpressureError instead of dropping anything.
   */
  readonly maxPendingCells: number;
  /** Retry of a failed flush: first delay, doubled each failure up to the maximum (ms). */
  readonly retryInitialMs: number;
  readonly retryMaxMs: number;
  /**
   * SQLite `synchronous` in WAL mode. FULL syncs the WAL at each commit, so a power loss keeps
   * every committed batch (NORMAL survives a process crash but may lose the last commits on power loss).
   */
  readonly synchronous: 'FULL' | 'NORMAL';
  /** How long a writer waits on another connection's lock (ms). */
  readonly busyTimeoutMs: number;
  /** Check the file when it is opened: 'quick' runs PRAGMA quick_check (O(size)); 'none' skips it. */
  readonly integrityCheck: 'quick' | 'none';
  /**
   * What to do with a corrupt database file. Both keep a timestamped copy of it beside the original.
   * 'fail': throw CorruptDatabaseError and leave the file where it is (the default).
   * 'reset': move the file aside and start a new, empty database.
   */
  readonly onCorrupt: 'fail' | 'reset';
}

export const STORE_DEFAULTS: StoreConfig = {
  flushIntervalMs: 250,
  flushMaxCells: 32,
  maxCellsPerTransaction: 256,
  maxPendingCells: 20_000,
  retryInitialMs: 250,
  retryMaxMs: 5_000,
  synchronous: 'FULL',
  busyTimeoutMs: 2_000,
  integrityCheck: 'quick',
  onCorrupt: 'fail',
};

/** File name of the database inside the data directory. */
export const DATABASE_FILE = 'leukoscan.db';

/**
 * The data directory: an explicit path (a --home flag) wins, then LEUKOSCAN_HOME,
 * then $XDG_DATA_HOME/leukoscan, then ~/.local/share/leukoscan.
 */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return resolve(explicit);
  if (env.LEUKOSCAN_HOME) return resolve(env.LEUKOSCAN_HOME);
  if (env.XDG_DATA_HOME) return join(resolve(env.XDG_DATA_HOME), 'leukoscan');
  return join(homedir(), '.local', 'share', 'leukoscan');
}
