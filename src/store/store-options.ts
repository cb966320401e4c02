/** What ScanStore.open takes: StoreConfig overrides plus how and where to write. */
import type { QueueTimers } from './write-queue.js';
import { STORE_DEFAULTS, type StoreConfig } from './config.js';

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

/** The defaults, overridden by the StoreConfig fields of `options` that are set (other options are not config). */
export function storeConfig(options: ScanStoreOptions): StoreConfig {
  const config: Record<string, unknown> = { ...STORE_DEFAULTS };
  for (const key of Object.keys(STORE_DEFAULTS)) {
    const value = (options as Record<string, unknown>)[key];
    if (value !== undefined) config[key] = value;
  }
  return config as unknown as StoreConfig;
}
