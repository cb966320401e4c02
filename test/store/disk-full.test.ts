import { afterEach, describe, expect, it } from 'vitest';
import { filter, firstValueFrom } from 'rxjs';
import { ScanStore, StoreBackpressureError, type StoreEvent } from '../../src/store/index.js';
import { SCAN_START, cell, tempHome } from './helpers/cells.js';

const CROP = new Uint8Array(3000).fill(0x5a);

/**
 * Simulates a full disk: the file may not grow past its current size. max_page_count is per
 * connection: the writer's (cells, via writerPragma) or the main one (reviews, scans).
 */
async function fillDisk(store: ScanStore, connection: 'writer' | 'main' = 'writer'): Promise<void> {
  const pages = store.database.pragma('page_count', { simple: true }) as number;
  if (connection === 'writer') await store.writerPragma(`max_page_count = ${pages}`);
  else store.database.pragma(`max_page_count = ${pages}`);
}

async function freeDisk(store: ScanStore, connection: 'writer' | 'main' = 'writer'): Promise<void> {
  if (connection === 'writer') await store.writerPragma('max_page_count = 1073741823');
  else store.database.pragma('max_page_count = 1073741823');
}

describe.each(['worker', 'inline'] as const)('disk full (SQLITE_FULL simulated with PRAGMA max_page_count), %s writer', (writer) => {
  let home: ReturnType<typeof tempHome> | null = null;
  let store: ScanStore | null = null;
  afterEach(async () => {
    await store?.close({ force: true });
    home?.cleanup();
  });

  it('pauses with an error, holds the cells in memory, retries, and loses nothing once space is back', async () => {
    home = tempHome();
    store = ScanStore.open(home.dir, { writer, flushMaxCells: 8, retryInitialMs: 10, retryMaxMs: 40, maxPendingCells: 100 });
    const events: StoreEvent[] = [];
    store.events$.subscribe((e) => events.push(e));
    const scan = store.startScan(SCAN_START);
    store.recordCells(scan.id, Array.from({ length: 10 }, (_, i) => cell(i, undefined, CROP)));
    await store.flush();

    await fillDisk(store);
    store.recordCells(scan.id, Array.from({ length: 40 }, (_, i) => cell(10 + i, undefined, CROP)));
    await expect(store.flush()).rejects.toThrow(/cannot write counted cells to .*leukoscan\.db now \(.*full.*\); 40 cells are queued/);
    expect(store.writesFailing).toBe(true);
    const paused = events.find((e) => e.type === 'paused');
    expect(paused).toMatchObject({ type: 'paused', reason: 'disk-full' });
    expect(events.find((e) => e.type === 'write-error')).toMatchObject({ code: 'SQLITE_FULL', diskFull: true, pending: 40 });
    expect(store.differential(scan.id)).toMatchObject({ counted: 10, pending: 40 });

    // The scan goes on for a while: cells keep being held, and retries keep failing.
    store.recordCells(scan.id, Array.from({ length: 30 }, (_, i) => cell(50 + i, undefined, CROP)));
    await new Promise((r) => setTimeout(r, 100));
    expect(events.filter((e) => e.type === 'write-error').length).toBeGreaterThan(1);
    expect(store.pendingCells).toBe(70);

    // Past the bound, new cells are refused loudly (the pipeline must pause), never dropped.
    expect(() => store!.recordCells(scan.id, Array.from({ length: 31 }, (_, i) => cell(80 + i)))).toThrow(StoreBackpressureError);
    expect(() => store!.recordCells(scan.id, [cell(80)])).not.toThrow();

    // Closing now would lose cells: it refuses and stays open.
    await expect(store.close()).rejects.toThrow(/cannot close .*71 counted cells could not be written/);

    const resumed = firstValueFrom(store.events$.pipe(filter((e) => e.type === 'resumed')));
    await freeDisk(store);
    expect(await resumed).toMatchObject({ type: 'resumed', written: 71 });
    expect(store.writesFailing).toBe(false);
    const stored = store.listCells(scan.id);
    expect(stored.map((c) => c.trackId)).toEqual(Array.from({ length: 81 }, (_, i) => i + 1));
    expect(store.differential(scan.id)).toMatchObject({ counted: 81, pending: 0 });
  });

  it('a review while the disk is full fails with the SQLite error, and the differential is unchanged', async () => {
    home = tempHome();
    store = ScanStore.open(home.dir, { writer });
    const scan = store.startScan(SCAN_START);
    store.recordCells(scan.id, [cell(0, 'NEU')]);
    const id = (await store.cellIdForTrack(scan.id, 1))!;
    await fillDisk(store, 'main');
    // Fill the last free pages so that even a small review row does not fit.
    await expect(store.review(id, { kind: 'reject', note: 'x'.repeat(20_000) }, 'tech.a')).rejects.toThrow(/full/);
    expect(store.differential(scan.id)).toMatchObject({ counted: 1, rejected: 0 });
    await freeDisk(store, 'main');
    await store.review(id, { kind: 'reject' }, 'tech.a');
    expect(store.differential(scan.id)).toMatchObject({ counted: 0, rejected: 1 });
  });
});
