import { existsSync, readFileSync, readdirSync, truncateSync, writeFileSync, openSync, writeSync, closeSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptDatabaseError, DATABASE_FILE, ScanStore } from '../../src/store/index.js';
import { SCAN_START, cell, tempHome } from './helpers/cells.js';

const CROP = new Uint8Array(3000).fill(0x33);

/** A real database with one scan of `n` cells, closed cleanly (WAL checkpointed into the file). */
async function makeDatabase(dir: string, n: number): Promise<string> {
  const store = ScanStore.open(dir, { writer: 'inline' });
  const scan = store.startScan(SCAN_START);
  store.recordCells(scan.id, Array.from({ length: n }, (_, i) => cell(i, undefined, CROP)));
  await store.close();
  return join(dir, DATABASE_FILE);
}

function backups(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.startsWith(`${DATABASE_FILE}.corrupt-`) && !f.endsWith('-wal'));
}

describe('corrupt database', () => {
  let home: ReturnType<typeof tempHome> | null = null;
  afterEach(() => home?.cleanup());

  it('CORRUPT FILE - garbage instead of a database: clear error naming the file and a backup kept, file untouched', () => {
    home = tempHome();
    const file = join(home.dir, DATABASE_FILE);
    const garbage = randomBytes(8192);
    writeFileSync(file, garbage);
    let error: unknown;
    try {
      ScanStore.open(home.dir);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(CorruptDatabaseError);
    const e = error as CorruptDatabaseError;
    expect(e.message).toContain(`the database ${file} is corrupt`);
    expect(e.message).toContain('--reset-corrupt-db');
    expect(e.message).toContain(e.backup);
    expect(readFileSync(e.backup)).toEqual(garbage);
    expect(readFileSync(file)).toEqual(garbage); // nothing changed without being told
  });

  it('CORRUPT FILE - truncated to half: detected at open, not at the first write', async () => {
    home = tempHome();
    const file = await makeDatabase(home.dir, 200);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    expect(() => ScanStore.open(home!.dir)).toThrow(CorruptDatabaseError);
    expect(backups(home.dir)).toHaveLength(1);
  });

  it('CORRUPT FILE - garbled pages in the middle (header intact): detected by quick_check', async () => {
    home = tempHome();
    const file = await makeDatabase(home.dir, 200);
    const size = statSync(file).size;
    const fd = openSync(file, 'r+');
    // Overwrite pages 2..6 (the schema's b-tree pages and first cells) with noise.
    writeSync(fd, randomBytes(4096 * 5), 0, 4096 * 5, 4096);
    closeSync(fd);
    expect(statSync(file).size).toBe(size);
    expect(() => ScanStore.open(home!.dir)).toThrow(/is corrupt/);
  });

  it("onCorrupt 'reset' moves the damaged file aside and starts a new, empty database", async () => {
    home = tempHome();
    const file = await makeDatabase(home.dir, 20);
    truncateSync(file, 3000);
    const damaged = readFileSync(file);
    const store = ScanStore.open(home.dir, { onCorrupt: 'reset' });
    try {
      expect(store.recoveredFrom).not.toBeNull();
      expect(readFileSync(store.recoveredFrom!.backup)).toEqual(damaged);
      expect(store.listScans()).toEqual([]);
      const scan = store.startScan(SCAN_START);
      expect(scan.id).toBe(1);
    } finally {
      await store.close();
    }
    expect(existsSync(file)).toBe(true);
  });

  it('a healthy database opens without making a backup', async () => {
    home = tempHome();
    await makeDatabase(home.dir, 5);
    const store = ScanStore.open(home.dir);
    expect(store.listScans()[0].cellsStored).toBe(5);
    await store.close();
    expect(backups(home.dir)).toEqual([]);
  });
});
