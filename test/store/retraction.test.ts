/**
 * Issue 25 item 6: the tracker takes a count back ('cell-retracted': a segment merge showed a
 * counted cell to be one counted earlier). The stored cell is marked retracted, kept in the file for
 * the audit trail, and leaves everything derived from the scan's cells: the differential, the cell
 * lists, the summary, review and the reports.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadReportData } from '../../src/report/report-data.js';
import { toJsonReport } from '../../src/report/json.js';
import { CellNotFoundError, InvalidCellError, ScanStore, recordCountUpdate } from '../../src/store/index.js';
import type { StoreEvent } from '../../src/store/types.js';
import type { CountUpdate, CountedCell, TrackEvent } from '../../src/track/types.js';
import { SCAN_START, cell, tempHome, trackedCountedCell } from './helpers/cells.js';

const counted = (id: number, type: CountedCell['type']): CountedCell => trackedCountedCell(id, type, { confidence: 0.9, countedSeq: 2 });
const diff = {} as CountUpdate['frame']['differential'];
const update = (events: TrackEvent[]): CountUpdate => ({ frame: { cells: [] } as unknown as CountUpdate['frame'], events });
/** Track 2 (counted later, LYM) is one with track 1 (counted first, NEU). */
const retraction: TrackEvent = { kind: 'cell-retracted', seq: 9, timestampMs: 1900, cellId: 2, type: 'LYM', countedSeq: 6, kept: counted(1, 'NEU'), differential: diff };

describe('store: a retracted cell', () => {
  let home: ReturnType<typeof tempHome> | null = null;
  let store: ScanStore | null = null;
  afterEach(async () => {
    await store?.close({ force: true });
    home?.cleanup();
    store = null;
    home = null;
  });

  function openScan() {
    home = tempHome();
    store = ScanStore.open(home.dir, { writer: 'inline' });
    const scan = store.startScan(SCAN_START);
    const events: StoreEvent[] = [];
    store.events$.subscribe((e) => events.push(e));
    // three counted cells: tracks 1 (NEU), 2 (LYM), 3 (MON)
    store.recordCells(scan.id, [cell(0, 'NEU'), cell(1, 'LYM'), cell(2, 'MON')]);
    return { scan, events, store };
  }

  it('is out of the differential, the cell list, the summary and the report; the cell kept stays', async () => {
    const { scan, events, store } = openScan();
    await store.flush();
    expect(store.differential(scan.id).counted).toBe(3);
    const writes = recordCountUpdate(store, scan.id, update([retraction, { kind: 'differential-changed', seq: 9, timestampMs: 1900, differential: diff }]));
    expect(writes.retracts).toEqual([{ trackId: 2, keptTrackId: 1 }]);
    await store.flush();

    const d = store.differential(scan.id);
    expect(d.counted).toBe(2);
    expect(d.counts.NEU.count).toBe(1);
    expect(d.counts.LYM.count).toBe(0);
    expect(d.counts.MON.count).toBe(1);
    expect(d.rejected).toBe(0);
    expect(store.listCells(scan.id).map((c) => c.trackId)).toEqual([1, 3]);
    expect(store.getScan(scan.id)).toMatchObject({ cellsStored: 2, cellsCounted: 2, cellsRejected: 0 });

    // the report reads the same: 2 cells, 2 counted, and the audit line that says why
    const report = toJsonReport(loadReportData(store, scan.id, { now: () => 0 })) as { differential: { counted: number }; cells: { trackId: number }[]; events: { kind: string; detail: unknown }[] };
    expect(report.differential.counted).toBe(2);
    expect(report.cells.map((c) => c.trackId)).toEqual([1, 3]);
    const kept = store.listCells(scan.id)[0];
    const audit = report.events.filter((e) => e.kind === 'cell-retracted');
    expect(audit).toHaveLength(1);
    expect(audit[0].detail).toMatchObject({ trackId: 2, type: 'LYM', keptTrackId: 1, keptCellId: kept.id });

    // events$ names the cells retracted, with the cell kept
    const retracted = events.filter((e) => e.type === 'cells-retracted');
    expect(retracted).toEqual([{ type: 'cells-retracted', scanId: scan.id, cells: [{ id: kept.id + 1, trackId: 2, keptId: kept.id }] }]);
  });

  it('RETRACTED CELL - cannot be read, cropped or reviewed any more', async () => {
    const { scan, store } = openScan();
    await store.flush();
    const goneId = (await store.cellIdForTrack(scan.id, 2))!;
    recordCountUpdate(store, scan.id, update([retraction]));
    await store.flush();
    expect(() => store.getCell(goneId)).toThrow(CellNotFoundError);
    expect(() => store.cellCrop(goneId)).toThrow(CellNotFoundError);
    await expect(store.review(goneId, { kind: 'reject' }, 'tech.a')).rejects.toThrow(CellNotFoundError);
    expect(store.differential(scan.id).counted).toBe(2);
  });

  it('queued behind the cell it retracts: a retraction in the same batch as the insert still applies', async () => {
    const { scan, store } = openScan(); // not flushed: the cells wait in the queue
    recordCountUpdate(store, scan.id, update([retraction]));
    await store.flush();
    expect(store.listCells(scan.id).map((c) => c.trackId)).toEqual([1, 3]);
  });

  it('a rejected cell that is retracted leaves the rejected count too (it was never one more cell)', async () => {
    const { scan, store } = openScan();
    await store.flush();
    await store.review((await store.cellIdForTrack(scan.id, 2))!, { kind: 'reject' }, 'tech.a');
    expect(store.differential(scan.id)).toMatchObject({ counted: 2, rejected: 1 });
    recordCountUpdate(store, scan.id, update([retraction]));
    await store.flush();
    expect(store.differential(scan.id)).toMatchObject({ counted: 2, rejected: 0 });
  });

  it('INVALID RETRACTION - a cell retracted into itself is refused at the edge, naming the track', () => {
    const { scan, store } = openScan();
    expect(() => store.retractCells(scan.id, [{ trackId: 4, keptTrackId: 4 }])).toThrow(InvalidCellError);
    expect(() => store.retractCells(scan.id, [{ trackId: 4, keptTrackId: 4 }])).toThrow(
      `scan #${scan.id}: retraction of track 4 is invalid at 'keptTrackId': a cell cannot be retracted into itself`,
    );
  });
});
