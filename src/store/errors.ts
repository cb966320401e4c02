/** Errors the store throws, each with a message a user can act on. */

export class CorruptDatabaseError extends Error {
  override readonly name = 'CorruptDatabaseError';
  constructor(
    readonly file: string,
    readonly backup: string,
    readonly detail: string,
  ) {
    super(
      `the database ${file} is corrupt (${detail}). A copy was kept at ${backup}. ` +
        `Nothing was changed; to move the damaged file aside and start a new, empty database, ` +
        `run again with --reset-corrupt-db (past scans stay readable only in the copy).`,
    );
  }
}

/** A read-only command found no database where it looked (a mistyped --home): nothing was created. */
export class NoDatabaseError extends Error {
  override readonly name = 'NoDatabaseError';
  constructor(readonly file: string) {
    super(`no scan database at ${file} (nothing was created; check --home or LEUKOSCAN_HOME)`);
  }
}

/** The store's folder is not usable as one (e.g. --home names a file). */
export class StoreHomeError extends Error {
  override readonly name = 'StoreHomeError';
}

export class StoreBackpressureError extends Error {
  override readonly name = 'StoreBackpressureError';
  constructor(
    readonly pending: number,
    readonly offered: number,
    readonly limit: number,
    readonly lastError: string | null,
  ) {
    super(
      `the scan store cannot take ${offered} more cells: ${pending} are waiting to be written (limit ${limit})` +
        (lastError ? ` because writing fails: ${lastError}` : '') +
        `. Pause the scan and free disk space; nothing queued has been lost.`,
    );
  }
}

export class ScanNotFoundError extends Error {
  override readonly name = 'ScanNotFoundError';
  constructor(
    readonly ref: string | number,
    readonly file: string,
  ) {
    super(`no scan ${typeof ref === 'number' ? `#${ref}` : `'${ref}'`} in ${file}`);
  }
}

export class CellNotFoundError extends Error {
  override readonly name = 'CellNotFoundError';
  constructor(readonly cellId: number) {
    super(`no counted cell with id ${cellId}`);
  }
}

export class InvalidCellError extends Error {
  override readonly name = 'InvalidCellError';
}

export class ScanNotWritableError extends Error {
  override readonly name = 'ScanNotWritableError';
}

/** SQLite error codes that mean the disk (not the data) refused the write: retry later. */
export function isDiskFullError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || (typeof code === 'string' && code.startsWith('SQLITE_IOERR'));
}

export function isCorruptionError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return code === 'SQLITE_CORRUPT' || code === 'SQLITE_NOTADB' || (typeof code === 'string' && code.startsWith('SQLITE_CORRUPT'));
}
