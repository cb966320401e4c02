import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstValueFrom, filter } from 'rxjs';
import { ScanStore, type StoreEvent } from '../../src/store/index.js';
import { InvalidCellError, ScanNotFoundError, CellNotFoundError, ScanNotWritableError } from '../../src/store/errors.js';
import { SCAN_START, cell, cells, tempHome } from './helpers/cells.js';
import { SCHEMA_VERSION } from '../../src/store/schema.js';

describe('ScanStore', () => {
  let home: ReturnType<typeof tempHome>;
  let store: ScanStore;
  beforeEach(() => {
    home = tempHome();
    store = ScanStore.open(home.dir);
  });
  afterEach(async () => {
    await store.close({ force: true });
    home.cleanup();
  });

  it('stores a scan with its model, colour profile and operator, and reads it back', () => {
    const scan = store.startScan(SCAN_START);
    expect(scan).toMatchObject({
      source: '/dev/video0',
      model: { name: 'leukoscan-lite', sha256: 'ab'.repeat(32), version: '2026-11-26' },
      colourProfile: SCAN_START.colourProfile,
      operator: 'tech.a',
      target: 100,
      status: 'running',
      interrupted: false,
      startedAtMs: SCAN_START.startedAtMs,
      endedAtMs: null,
    });
  });

  it('uses WAL and the schema version of the last migration', () => {
    expect(store.database.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(store.database.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('queues cells without writing them, then commits them in one batch on flush', async () => {
    const scan = store.startScan(SCAN_START);
    const stored = firstValueFrom(store.events$.pipe(filter((e) => e.type === 'cells-stored')));
    store.recordCells(scan.id, cells(0, 10));
    expect(store.pendingCells).toBe(10);
    expect(store.differential(scan.id)).toMatchObject({ counted: 0, pending: 10 });
    await store.flush();
    const event = (await stored) as Extract<StoreEvent, { type: 'cells-stored' }>;
    expect(event.cells.map((c) => c.trackId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(store.differential(scan.id)).toMatchObject({ counted: 10, pending: 0, rejected: 0 });
  });

  it('flushes by itself on the timer', async () => {
    const scan = store.startScan(SCAN_START);
    const stored = firstValueFrom(store.events$.pipe(filter((e) => e.type === 'cells-stored')));
    store.recordCells(scan.id, cells(0, 3));
    await stored;
    expect(store.pendingCells).toBe(0);
    expect(store.differential(scan.id).counted).toBe(3);
  });

  it('derives the differential with percent and a Wilson 95% interval', async () => {
    const scan = store.startScan(SCAN_START);
    // 60 NEU, 30 LYM, 6 MON, 3 EOS, 1 BAS
    const mix = [...Array(60).fill('NEU'), ...Array(30).fill('LYM'), ...Array(6).fill('MON'), ...Array(3).fill('EOS'), 'BAS'];
    store.recordCells(scan.id, mix.map((t, i) => cell(i, t)));
    await store.flush();
    const d = store.differential(scan.id);
    expect(d.counted).toBe(100);
    expect(d.rows.map((r) => [r.type, r.count])).toEqual([['NEU', 60], ['LYM', 30], ['MON', 6], ['EOS', 3], ['BAS', 1]]);
    const neu = d.rows[0];
    expect(neu.percent).toBeCloseTo(60, 10);
    // Wilson 95% for 60/100: 50.20% .. 69.06%
    expect(neu.ci95.low).toBeCloseTo(50.2, 1);
    expect(neu.ci95.high).toBeCloseTo(69.06, 1);
  });

  it('keeps the first cell when the same track id is recorded twice', async () => {
    const scan = store.startScan(SCAN_START);
    store.recordCells(scan.id, [cell(0, 'NEU')]);
    store.recordCells(scan.id, [cell(0, 'LYM')]);
    await store.flush();
    const list = store.listCells(scan.id);
    expect(list).toHaveLength(1);
    expect(list[0].type).toBe('NEU');
  });

  it('reclassifies, rejects and restores a cell, audits each change and recomputes the differential', async () => {
    const scan = store.startScan(SCAN_START);
    store.recordCells(scan.id, [cell(0, 'NEU'), cell(1, 'NEU'), cell(2, 'LYM')]);
    const id = (await store.cellIdForTrack(scan.id, 1))!; // flushes the queue first
    expect(id).toBeGreaterThan(0);

    const r1 = await store.review(id, { kind: 'reclassify', to: 'EOS' }, 'tech.b');
    expect(r1.review).toMatchObject({ cellId: id, operator: 'tech.b', action: 'reclassify', oldType: 'NEU', newType: 'EOS' });
    expect(counts(r1.differential)).toEqual({ NEU: 1, LYM: 1, MON: 0, EOS: 1, BAS: 0 });

    const r2 = await store.review(id, { kind: 'reject', note: 'smudge cell' }, 'tech.b');
    expect(r2.review).toMatchObject({ action: 'reject', oldType: 'EOS', newType: null, note: 'smudge cell' });
    expect(r2.differential).toMatchObject({ counted: 2, rejected: 1 });

    const r3 = await store.review(id, { kind: 'restore' }, 'tech.c');
    expect(r3.review).toMatchObject({ action: 'restore', oldType: null, newType: 'NEU' });
    expect(counts(r3.differential)).toEqual({ NEU: 2, LYM: 1, MON: 0, EOS: 0, BAS: 0 });

    expect(store.reviews(scan.id).map((r) => `${r.operator}:${r.action}:${r.oldType}->${r.newType}`)).toEqual([
      'tech.b:reclassify:NEU->EOS',
      'tech.b:reject:EOS->null',
      'tech.c:restore:null->NEU',
    ]);
    expect(store.getCell(id)).toMatchObject({ modelType: 'NEU', type: 'NEU', reviewed: true, rejected: false });
  });

  it('emits a reviewed event with the new differential (for the dashboard)', async () => {
    const scan = store.startScan(SCAN_START);
    store.recordCells(scan.id, [cell(0, 'NEU')]);
    const reviewed = firstValueFrom(store.events$.pipe(filter((e) => e.type === 'reviewed')));
    const id = (await store.cellIdForTrack(scan.id, 1))!;
    await store.review(id, { kind: 'reject' }, 'tech.a');
    expect(await reviewed).toMatchObject({ type: 'reviewed', differential: { counted: 0, rejected: 1 } });
  });

  it('a tracker retype moves the count unless a technologist has reviewed the cell', async () => {
    const scan = store.startScan(SCAN_START);
    store.recordCells(scan.id, [cell(0, 'NEU'), cell(1, 'NEU')]);
    store.retypeCells(scan.id, [{ trackId: 1, type: 'MON', confidence: 0.7 }]); // queued after the insert
    await store.flush();
    expect(counts(store.differential(scan.id))).toMatchObject({ NEU: 1, MON: 1 });
    const id2 = (await store.cellIdForTrack(scan.id, 2))!;
    await store.review(id2, { kind: 'reclassify', to: 'BAS' }, 'tech.a');
    store.retypeCells(scan.id, [{ trackId: 2, type: 'LYM' }]);
    await store.flush();
    expect(counts(store.differential(scan.id))).toMatchObject({ NEU: 0, MON: 1, BAS: 1, LYM: 0 });
    expect(store.scanEvents(scan.id).filter((e) => e.kind === 'cell-retyped')).toHaveLength(2);
  });

  it('lists past scans newest first with counts, and opens any of them', async () => {
    const a = store.startScan({ ...SCAN_START, startedAtMs: 1000 });
    const b = store.startScan({ ...SCAN_START, startedAtMs: 2000, operator: 'tech.b' });
    store.recordCells(a.id, cells(0, 4));
    store.recordCells(b.id, cells(0, 2));
    await store.endScan(a.id);
    const list = store.listScans();
    expect(list.map((s) => [s.id, s.cellsStored, s.status])).toEqual([
      [b.id, 2, 'running'],
      [a.id, 4, 'completed'],
    ]);
    expect(store.getScan('latest').id).toBe(b.id);
    const loaded = store.loadScan(a.id);
    expect(loaded.cells).toHaveLength(4);
    expect(loaded.scan.endedAtMs).not.toBeNull();
    expect(loaded.events.map((e) => e.kind)).toEqual(['scan-started', 'scan-ended']);
  });

  it('stores crops as blobs and returns them only when asked', async () => {
    const scan = store.startScan(SCAN_START);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3, 0xff, 0xd9]);
    store.recordCells(scan.id, [cell(0, 'NEU', jpeg), cell(1, 'LYM')]);
    await store.flush();
    const [withCrop, without] = store.listCells(scan.id);
    expect(withCrop.hasCrop).toBe(true);
    expect(withCrop.cropJpeg).toBeUndefined();
    expect(without.hasCrop).toBe(false);
    expect(store.cellCrop(withCrop.id)).toEqual(jpeg);
    expect(store.loadScan(scan.id, { crops: true }).cells[0].cropJpeg).toEqual(jpeg);
  });

  it('BAD CALL - an invalid cell is refused in recordCells, naming the track and field', () => {
    const scan = store.startScan(SCAN_START);
    expect(() => store.recordCells(scan.id, [{ ...cell(0), type: 'RBC' as never }])).toThrow(InvalidCellError);
    expect(() => store.recordCells(scan.id, [{ ...cell(4), confidence: 1.5 }])).toThrow(/track 5.*'confidence'/);
    expect(store.pendingCells).toBe(0);
  });

  it('BAD CALL - an unknown scan or cell gives a clear error', async () => {
    expect(() => store.loadScan(42)).toThrow(ScanNotFoundError);
    expect(() => store.loadScan('latest')).toThrow(/no scan 'latest' in .*leukoscan\.db/);
    await expect(store.review(7, { kind: 'reject' }, 'tech.a')).rejects.toThrow(CellNotFoundError);
  });

  it('BAD CALL - a completed scan cannot be resumed', async () => {
    const scan = store.startScan(SCAN_START);
    await store.endScan(scan.id);
    expect(() => store.resumeScan(scan.id)).toThrow(ScanNotWritableError);
  });

  it('a resumed scan takes a restarted tracker (ids from 1 again) as new cells, in a new session', async () => {
    const scan = store.startScan(SCAN_START);
    store.recordCells(scan.id, [cell(0, 'NEU'), cell(1, 'NEU'), cell(2, 'NEU')]); // track ids 1..3, session 0
    await store.close();
    store = ScanStore.open(home.dir);
    expect(() => store.recordCells(scan.id, [cell(0)])).toThrow(/scan #\d+ was not started or resumed by this store/);
    store.resumeScan(scan.id);
    store.recordCells(scan.id, [cell(0, 'LYM'), cell(1, 'LYM')]); // the new tracker's ids 1..2
    store.retypeCells(scan.id, [{ trackId: 1, type: 'MON' }]); // its own cell 1, not session 0's
    await store.flush();
    const list = store.listCells(scan.id);
    expect(list.map((c) => `${c.session}:${c.trackId}:${c.type}`)).toEqual(['0:1:NEU', '0:2:NEU', '0:3:NEU', '1:1:MON', '1:2:LYM']);
    expect(await store.cellIdForTrack(scan.id, 1)).toBe(list[3].id);
    expect(store.differential(scan.id).counted).toBe(5);
  });

  it('close() writes what is queued', async () => {
    const scan = store.startScan(SCAN_START);
    store.recordCells(scan.id, cells(0, 5));
    await store.close();
    store = ScanStore.open(home.dir);
    expect(store.differential(scan.id).counted).toBe(5);
  });
});

function counts(d: { rows: readonly { type: string; count: number }[] }): Record<string, number> {
  return Object.fromEntries(d.rows.map((r) => [r.type, r.count]));
}
