/** The scan store: persistence of scans, counted cells, reviews and events (SQLite, WAL). */
export { ScanStore, type ScanStoreOptions, type ScanRef } from './scan-store.js';
export { STORE_DEFAULTS, DATABASE_FILE, resolveHome, type StoreConfig } from './config.js';
export {
  CorruptDatabaseError,
  NoDatabaseError,
  StoreHomeError,
  StoreBackpressureError,
  ScanNotFoundError,
  CellNotFoundError,
  InvalidCellError,
  ScanNotWritableError,
} from './errors.js';
export { differentialFromCounts } from './differential.js';
export type * from './types.js';
export { storeWritesFromCountUpdate, recordCountUpdate, type StoreWrites } from './track-adapter.js';
