/**
 * Issue 25 item 3: after a crash, the REAL PipelineScanSession offers the interrupted scan; resuming
 * continues its counts and target, closing marks it 'interrupted' (shown in the report). The crash is
 * simulated by a scan whose writer pid is dead; the pipeline is the scripted FAKE one.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadReportData, renderReport } from '../../src/report/index.js';
import { ScanStore } from '../../src/store/scan-store.js';
import { SCAN_START, cell, tempHome } from '../store/helpers/cells.js';
import { sessionOnStore } from './session-harness.js';

const DEAD_PID = 2 ** 22 + 12345;
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A store with scan #1 killed at 37 counted cells (target 120), then a session on it. */
async function afterCrash() {
  const home = tempHome('leukoscan-resume-');
  cleanups.push(() => home.cleanup());
  const store = ScanStore.open(home.dir);
  cleanups.push(async () => void (await store.close()));
  const crashed = store.startScan({ ...SCAN_START, target: 120 });
  store.recordCells(crashed.id, Array.from({ length: 37 }, (_, i) => cell(i, 'NEU')));
  await store.flush();
  store.database.prepare('UPDATE scans SET writer_pid = ? WHERE id = ?').run(DEAD_PID, crashed.id);
  const { session, pipeline, last } = sessionOnStore({ cleanups, store });
  return { store, session, pipeline, crashed, last };
}

describe('INTERRUPTED SCAN - offered on start, resumed or closed', () => {
  it('is offered in the status with its counts and target, and nothing starts by itself', async () => {
    const s = await afterCrash();
    expect(s.session.status).toMatchObject({ scan: 'idle', interrupted: { scanId: String(s.crashed.id), cells: 37, target: 120 } });
    expect(s.store.listScans()).toHaveLength(1);
  });

  it('resuming continues the same scan: the same counts, the same target, new cells added to them', async () => {
    const s = await afterCrash();
    const status = await s.session.execute({ type: 'resumeInterrupted', scanId: String(s.crashed.id) });
    expect(status).toMatchObject({ scan: 'running', scanId: String(s.crashed.id), target: 120, interrupted: null });
    expect(s.last('differential').differential).toMatchObject({ total: 37, target: 120 });
    s.pipeline.push(8);
    for (let i = 0; i < 40 && s.store.getScan(s.crashed.id).cellsStored < 39; i++) await new Promise((r) => setTimeout(r, 50));
    expect(s.last('differential').differential.total).toBe(39);
    expect(s.store.getScan(s.crashed.id)).toMatchObject({ status: 'running', interrupted: false, cellsCounted: 39 });
    expect(s.store.listScans()).toHaveLength(1); // no new scan at 0
  });

  it("closing marks it 'interrupted' with its counts, and the report says so", async () => {
    const s = await afterCrash();
    const status = await s.session.execute({ type: 'closeInterrupted', scanId: String(s.crashed.id) });
    expect(status.interrupted).toBeNull();
    expect(s.store.getScan(s.crashed.id)).toMatchObject({ status: 'interrupted', cellsCounted: 37 });
    const data = loadReportData(s.store, s.crashed.id);
    expect(JSON.parse(renderReport('json', data)).scan).toMatchObject({ status: 'interrupted', interrupted: true });
    expect(renderReport('html', data)).toContain('This scan was interrupted');
  });

  it('BAD SCAN ID - refuses to resume a scan that is not the one on offer', async () => {
    const s = await afterCrash();
    await expect(s.session.execute({ type: 'resumeInterrupted', scanId: '99' })).rejects.toThrow(`scan #99 is not the interrupted scan on offer (#${s.crashed.id})`);
    await s.session.execute({ type: 'start' });
    // Another scan is open now: resuming is refused until it is stopped.
    await expect(s.session.execute({ type: 'resumeInterrupted', scanId: String(s.crashed.id) })).rejects.toThrow('cannot resume an interrupted scan while this one is running');
  });
});
