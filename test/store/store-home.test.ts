/**
 * Issue 25 item 6, the store's edge: a read-only open never creates a database, a --home that is a
 * file is named as such, and a corrupt file is copied aside once however often it is opened.
 */
import { readdirSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CorruptDatabaseError, DATABASE_FILE, ScanStore } from '../../src/store/index.js';
import { tempHome } from './helpers/cells.js';

let home: ReturnType<typeof tempHome> | null = null;
afterEach(() => home?.cleanup());

describe('where the store lives', () => {
  it('NO DATABASE - a read-only open of a folder without one creates nothing and says where it looked', () => {
    home = tempHome();
    const typo = join(home.dir, 'leukoscna');
    expect(() => ScanStore.open(typo, { create: false })).toThrow(`no scan database at ${join(typo, DATABASE_FILE)} (nothing was created; check --home or LEUKOSCAN_HOME)`);
    expect(existsSync(typo)).toBe(false);
    expect(() => ScanStore.open(home!.dir, { create: false })).toThrow(/no scan database at/);
    expect(readdirSync(home.dir)).toEqual([]);
  });

  it('HOME IS A FILE - a clear error instead of EEXIST', () => {
    home = tempHome();
    const file = join(home.dir, 'passwd');
    writeFileSync(file, 'root:x:0:0\n');
    expect(() => ScanStore.open(file)).toThrow(`the scan store folder ${file} is a file, not a folder: give --home a folder`);
    expect(() => ScanStore.open(join(file, 'sub'))).toThrow(`the scan store folder ${join(file, 'sub')} cannot be created: ${file} is a file, not a folder`);
  });

  it('CORRUPT FILE - opened three times, copied aside once', () => {
    home = tempHome();
    writeFileSync(join(home.dir, DATABASE_FILE), randomBytes(8192));
    const backups = new Set<string>();
    for (let i = 0; i < 3; i++) {
      try {
        ScanStore.open(home.dir);
      } catch (err) {
        expect(err).toBeInstanceOf(CorruptDatabaseError);
        backups.add((err as CorruptDatabaseError).backup);
      }
    }
    expect(backups.size).toBe(1);
    expect(readdirSync(home.dir).filter((f) => f.includes('.corrupt-'))).toHaveLength(1);
  });
});
