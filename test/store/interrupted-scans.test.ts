/**
 * Issue 25 item 3 (store side): a scan whose process died is found on the next start, and the
 * operator either resumes it (resumeScan) or closes it as 'interrupted' with the counts it had.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ScanStore } from '../../src/store/index.js';
import { SCAN_START, cell, tempHome } from './helpers/cells.js';

/** A pid no process has: the scan's writer is "dead" as after kill -9. */
const DEAD_PID = 2 ** 22 + 12345;

let home: ReturnType<typeof tempHome> | null = null;
let store: ScanStore | null = null;
afterEach(async () => {
  await store?.close();
  store = null;
  home?.cleanup();
});

async function crashedScan(cells = 5): Promise<number> {
  home = tempHome();
  store = ScanStore.open(home.dir, { writer: 'inline' });
  const scan = store.startScan(SCAN_START);
  store.recordCells(scan.id, Array.from({ length: cells }, (_, i) => cell(i)));
  await store.flush();
  store.database.prepare('UPDATE scans SET writer_pid = ? WHERE id = ?').run(DEAD_PID, scan.id);
  return scan.id;
}

describe('interrupted scans', () => {
  it('are listed (newest first) with their counts; scans still written by a live process are not', async () => {
    const id = await crashedScan(5);
    const live = store!.startScan(SCAN_START);
    const found = store!.interruptedScans();
    expect(found.map((s) => [s.id, s.status, s.interrupted, s.cellsCounted])).toEqual([[id, 'running', true, 5]]);
    expect(found.some((s) => s.id === live.id)).toBe(false);
  });

  it("closing one marks it 'interrupted' with its counts and end time; it cannot be resumed after", async () => {
    const id = await crashedScan(5);
    const closed = store!.closeInterrupted(id);
    expect(closed).toMatchObject({ id, status: 'interrupted', interrupted: true });
    expect(closed.endedAtMs).not.toBeNull();
    expect(store!.getScan(id).cellsCounted).toBe(5);
    expect(store!.interruptedScans()).toEqual([]);
    expect(store!.scanEvents(id).at(-1)).toMatchObject({ kind: 'scan-ended', detail: { status: 'interrupted' } });
    expect(() => store!.resumeScan(id)).toThrow(`scan #${id} is interrupted; only a running, paused or interrupted-but-open scan can be resumed`);
  });

  it('NOT INTERRUPTED - closing a scan whose writer is alive is refused', async () => {
    home = tempHome();
    store = ScanStore.open(home.dir, { writer: 'inline' });
    const scan = store.startScan(SCAN_START);
    expect(() => store!.closeInterrupted(scan.id)).toThrow(`scan #${scan.id} is not interrupted (it is running and its process is alive)`);
  });
});
