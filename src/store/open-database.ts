import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, openSync, readSync, readdirSync, closeSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { DATABASE_FILE, type StoreConfig } from './config.js';
import { CorruptDatabaseError, NoDatabaseError, StoreHomeError, isCorruptionError } from './errors.js';
import { migrate } from './schema.js';
import { applyPragmas } from './connection.js';

const SQLITE_HEADER = 'SQLite format 3\u0000';

export interface OpenedDatabase {
  readonly db: Database.Database;
  readonly file: string;
  /** Set when a corrupt file was moved aside (onCorrupt 'reset'). */
  readonly recoveredFrom: { readonly backup: string; readonly detail: string } | null;
}

/**
 * Opens (creating if needed) `<dir>/leukoscan.db` in WAL mode, checks it and applies migrations.
 * A corrupt file is copied aside with a timestamp; then either CorruptDatabaseError is thrown
 * (onCorrupt 'fail') or a new, empty database replaces it (onCorrupt 'reset').
 */
export function openDatabase(
  dir: string,
  config: StoreConfig,
  now: () => Date = () => new Date(),
  opts: { create?: boolean } = {},
): OpenedDatabase {
  const file = join(dir, DATABASE_FILE);
  prepareHome(dir, file, opts.create ?? true);
  try {
    return { db: openChecked(file, config), file, recoveredFrom: null };
  } catch (err) {
    const detail = corruptionDetail(err);
    if (detail === null) throw err;
    // The same damaged file opened again (each `report` on it) is not copied again.
    const backup = existingCopy(dir, file) ?? freeName(`${file}.corrupt-${now().toISOString().replace(/[:.]/g, '-')}`);
    if (!existsSync(backup)) copyAside(file, backup);
    if (config.onCorrupt === 'fail') throw new CorruptDatabaseError(file, backup, detail);
    for (const suffix of ['', '-wal', '-shm']) rmSync(file + suffix, { force: true });
    return { db: openChecked(file, config), file, recoveredFrom: { backup, detail } };
  }
}

/** The folder must be a folder; a read-only open (create false) needs the database to be there already. */
function prepareHome(dir: string, file: string, create: boolean): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) throw new StoreHomeError(`the scan store folder ${dir} is a file, not a folder: give --home a folder`);
  if (!create) {
    if (!existsSync(file)) throw new NoDatabaseError(file);
    return;
  }
  try {
    mkdirSync(dir, { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTDIR') throw err;
    let blocker = dirname(dir);
    while (!existsSync(blocker)) blocker = dirname(blocker);
    throw new StoreHomeError(`the scan store folder ${dir} cannot be created: ${blocker} is a file, not a folder`);
  }
}

/** A backup beside `file` with the same bytes (and WAL), if one was already made. */
function existingCopy(dir: string, file: string): string | null {
  const size = statSync(file).size;
  const prefix = `${basename(file)}.corrupt-`;
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(prefix) || name.endsWith('-wal')) continue;
    const candidate = join(dir, name);
    if (statSync(candidate).size === size && sameBytes(candidate, file) && sameBytes(`${candidate}-wal`, `${file}-wal`)) return candidate;
  }
  return null;
}

/** Byte-equal files (both missing counts as equal). */
function sameBytes(a: string, b: string): boolean {
  if (!existsSync(a) || !existsSync(b)) return !existsSync(a) && !existsSync(b);
  return fileHash(a) === fileHash(b);
}

function fileHash(path: string): string {
  const hash = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(1 << 20);
    for (let n = readSync(fd, buf); n > 0; n = readSync(fd, buf)) hash.update(buf.subarray(0, n));
  } finally {
    closeSync(fd);
  }
  return hash.digest('hex');
}

class NotSqliteError extends Error {}
class IntegrityError extends Error {}

function openChecked(file: string, config: StoreConfig): Database.Database {
  checkHeader(file);
  const db = new Database(file);
  try {
    applyPragmas(db, config);
    if (config.integrityCheck === 'quick') {
      const rows = db.pragma('quick_check') as { quick_check: string }[];
      const problems = rows.map((r) => r.quick_check).filter((r) => r !== 'ok');
      if (problems.length > 0) throw new IntegrityError(`quick_check: ${problems.slice(0, 3).join('; ')}`);
    }
    migrate(db, file);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** A non-empty file that does not start with SQLite's magic string is not a database at all. */
function checkHeader(file: string): void {
  if (!existsSync(file) || statSync(file).size === 0) return;
  const fd = openSync(file, 'r');
  try {
    const buf = Buffer.alloc(16);
    const n = readSync(fd, buf, 0, 16, 0);
    if (n < 16 || buf.toString('latin1') !== SQLITE_HEADER) {
      throw new NotSqliteError('the file does not start with the SQLite header');
    }
  } finally {
    closeSync(fd);
  }
}

function corruptionDetail(err: unknown): string | null {
  if (err instanceof NotSqliteError || err instanceof IntegrityError) return err.message;
  if (isCorruptionError(err)) return `${(err as { code: string }).code}: ${(err as Error).message}`;
  return null;
}

/** `base`, or `base-2`, `base-3`, … if taken: a backup never overwrites another. */
function freeName(base: string): string {
  let name = base;
  for (let n = 2; existsSync(name) || existsSync(`${name}-wal`); n++) name = `${base}-${n}`;
  return name;
}

/** Copies the file and its WAL (if any) to `backup` / `backup-wal`. */
function copyAside(file: string, backup: string): void {
  copyFileSync(file, backup);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${backup}-wal`);
}

