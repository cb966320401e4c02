/**
 * PipelineScanSession with the REAL slide counter and scan store, fed by a
 * scripted live pipeline (FAKE: frames of a static textured field and fixed
 * detections, pushed by the test), so the session's lifecycle, counting,
 * persistence and review are tested without ffmpeg or a model.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanStore } from '../../src/store/scan-store.js';
import { PipelineScanSession } from '../../src/app/pipeline-session.js';
import type { SessionEvent } from '../../src/stream/session.js';
import { validateServeSource } from '../../src/stream/sources.js';
import { SCAN_START, cell } from '../store/helpers/cells.js';
import { ScriptedPipeline } from '../stream/scripted-pipeline.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(opts: { store?: boolean; target?: number } = {}) {
  const pipeline = new ScriptedPipeline();
  let store: ScanStore | null = null;
  if (opts.store) {
    const dir = mkdtempSync(join(tmpdir(), 'leukoscan-stream-'));
    store = ScanStore.open(dir);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(async () => {
      await store!.close();
    });
  }
  const session = new PipelineScanSession({
    pipeline: pipeline.factory,
    validateSource: validateServeSource,
    source: 'sim:',
    target: opts.target ?? 100,
    store: store === null ? null : { store, model: { name: 'fake-model', sha256: 'ab'.repeat(32), version: 'test' }, operator: 'tester' },
  });
  cleanups.push(() => session.close());
  const events: SessionEvent[] = [];
  const sub = session.events$.subscribe((e) => events.push(e));
  cleanups.push(() => sub.unsubscribe());
  const of = <K extends SessionEvent['kind']>(kind: K) => events.filter((e): e is Extract<SessionEvent, { kind: K }> => e.kind === kind);
  const lastDifferential = () => of('differential').at(-1)!.differential;
  /** Waits for queued crop encodes / store writes (bounded). */
  const settle = async () => {
    for (let i = 0; i < 50; i++) {
      await new Promise((r) => setTimeout(r, 50));
      if (of('counted').length >= lastDifferential().total) return;
    }
  };
  return { pipeline, store, session, events, of, lastDifferential, settle };
}

describe('PipelineScanSession', () => {
  it('emits its current status, differential and health to a new subscriber', () => {
    const { of } = setup();
    expect(of('status')[0].status).toMatchObject({ scan: 'idle', source: 'sim:', target: 100 });
    expect(of('differential')[0].differential.total).toBe(0);
    expect(of('health')[0].health.source.state).toBe('starting');
  });

  it('counts detected cells once each, with overlays tied to every frame and crops for the gallery', async () => {
    const { pipeline, session, of, lastDifferential, settle } = setup();
    await session.execute({ type: 'start' });
    expect(pipeline.sources).toEqual(['sim:']);
    pipeline.push(8);
    await settle();
    expect(of('frame').map((e) => e.frame.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const overlaySeqs = new Set(of('overlay').map((e) => e.overlay.seq));
    for (let seq = 0; seq < 8; seq++) expect(overlaySeqs.has(seq)).toBe(true);
    const d = lastDifferential();
    expect(d.total).toBe(2);
    expect(d.rows.find((r) => r.type === 'NEU')).toMatchObject({ count: 1, percent: 50 });
    expect(d.rows.find((r) => r.type === 'LYM')).toMatchObject({ count: 1, percent: 50 });
    expect(d.rows[0].ciLow).toBeGreaterThan(0);
    expect(d.rows[0].ciHigh).toBeLessThan(100);
    const counted = of('counted').map((e) => e.cell);
    expect(counted.map((c) => c.type).sort()).toEqual(['LYM', 'NEU']);
    expect(counted.every((c) => c.cropJpeg !== null && c.cropJpeg[0] === 0xff && c.cropJpeg[1] === 0xd8)).toBe(true);
    expect(counted[0].cellId).toMatch(/^live:\d+$/);
    // The last overlay marks both leukocytes counted, and carries the RBC box from the detections.
    const last = of('overlay').at(-1)!.overlay;
    expect(last.cells.filter((c) => c.counted).map((c) => c.type).sort()).toEqual(['LYM', 'NEU']);
    expect(last.cells.some((c) => c.type === 'RBC' && c.trackId === -1)).toBe(true);
  });

  it('reports the stage pace in health with the pipeline metrics: 0 for a still stage', async () => {
    const { pipeline, session, of } = setup();
    await session.execute({ type: 'start' });
    const metrics = (): void =>
      pipeline.active!.next({
        type: 'metrics',
        metrics: { atMs: 0, intervalMs: 1000, fpsIn: 8, fpsDetected: 8, framesIn: 8, framesDetected: 8, framesSkipped: 0, latencyP50Ms: 40, latencyP95Ms: 40, detectP50Ms: 40, detectP95Ms: 40, overheadP95Ms: 0 },
      });
    metrics();
    expect(of('health').at(-1)!.health.pipeline.stagePace).toBeNull();
    pipeline.push(8); // the same field every frame: the stage does not move
    metrics();
    expect(of('health').at(-1)!.health.pipeline.stagePace).toBe(0);
  });

  it('PAUSE - keeps the slide map: cells still in view after a resume are not counted twice', async () => {
    const { pipeline, session, of, lastDifferential, settle } = setup();
    await session.execute({ type: 'start' });
    pipeline.push(6);
    await settle();
    expect(lastDifferential().total).toBe(2);
    await session.execute({ type: 'pause' });
    expect(pipeline.subscribers[0].closed).toBe(true);
    expect(of('status').at(-1)!.status.scan).toBe('paused');
    await session.execute({ type: 'start' });
    // A new capture: its frame numbers restart at 0; the session renumbers them after the old ones.
    pipeline.push(6, 0);
    await settle();
    expect(of('frame').map((e) => e.frame.seq).slice(-6)).toEqual([6, 7, 8, 9, 10, 11]);
    expect(lastDifferential().total).toBe(2);
  });

  it('DISK FULL - pauses the scan with the store\'s error; nothing counted is lost once the disk frees', async () => {
    const { pipeline, store, session, of, lastDifferential, settle } = setup({ store: true });
    await session.execute({ type: 'start' });
    pipeline.push(8);
    await settle();
    expect(lastDifferential().total).toBe(2);
    const scanId = Number(of('status').at(-1)!.status.scanId);
    // Simulate a full disk (the file may not grow) and a write that needs space.
    const pages = store!.database.pragma('page_count', { simple: true }) as number;
    await store!.writerPragma(`max_page_count = ${pages}`);
    const other = store!.startScan(SCAN_START);
    store!.recordCells(other.id, Array.from({ length: 40 }, (_, i) => cell(i, undefined, new Uint8Array(3000).fill(0x5a))));
    for (let i = 0; i < 100 && of('status').at(-1)!.status.scan !== 'paused'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(of('status').at(-1)!.status.scan).toBe('paused');
    expect(pipeline.subscribers[0].closed).toBe(true);
    expect(of('health').at(-1)!.health.source.state).toBe('error');
    expect(of('health').at(-1)!.health.source.message).toMatch(/held in memory/);
    await store!.writerPragma('max_page_count = 1073741823');
    for (let i = 0; i < 100 && store!.listCells(other.id).length < 40; i++) await new Promise((r) => setTimeout(r, 50));
    expect(store!.listCells(other.id).length).toBe(40);
    expect(store!.listCells(scanId).length).toBe(2);
  });

  it('TARGET - pauses as complete when the differential reaches the target, and refuses to start again', async () => {
    const { pipeline, session, of, settle } = setup({ target: 2 });
    await session.execute({ type: 'start' });
    pipeline.push(8);
    await settle();
    expect(of('status').at(-1)!.status.scan).toBe('complete');
    expect(pipeline.active).toBeUndefined();
    await expect(session.execute({ type: 'start' })).rejects.toThrow('the target of 2 cells is reached: raise the target or reset to count more');
    await session.execute({ type: 'setTarget', target: 5 });
    expect(of('status').at(-1)!.status).toMatchObject({ scan: 'paused', target: 5 });
  });

  it('BAD SOURCE - refuses to switch to a source it cannot parse, naming it', async () => {
    const { session } = setup();
    await expect(session.execute({ type: 'setSource', source: 'ftp://camera' })).rejects.toThrow(/ftp:\/\/camera.*unsupported scheme/);
    await expect(session.execute({ type: 'setSource', source: 'sim:fps=0' })).rejects.toThrow("fps must be a positive number, got '0'");
  });

  it('switches the source of a running scan by restarting the pipeline on it', async () => {
    const { pipeline, session, of } = setup();
    await session.execute({ type: 'start' });
    await session.execute({ type: 'setSource', source: 'test:testsrc2' });
    expect(pipeline.sources).toEqual(['sim:', 'test:testsrc2']);
    expect(pipeline.subscribers[0].closed).toBe(true);
    expect(of('status').at(-1)!.status.source).toBe('test:testsrc2');
  });

  it('SOURCE FAILED - shows the error in health and stops the scan', async () => {
    const { pipeline, session, of, settle } = setup();
    await session.execute({ type: 'start' });
    pipeline.active!.error(new Error('ffmpeg: /dev/video0: No such device'));
    await settle();
    expect(of('health').at(-1)!.health.source).toMatchObject({ state: 'error', message: 'ffmpeg: /dev/video0: No such device' });
    expect(of('status').at(-1)!.status.scan).toBe('stopped');
  });

  it('stores counted cells, and reviews change the live differential (reject removes, reclassify moves)', async () => {
    const { pipeline, session, store, of, lastDifferential, settle } = setup({ store: true });
    await session.execute({ type: 'start' });
    const scanId = of('status').at(-1)!.status.scanId;
    expect(scanId).toBe('1');
    pipeline.push(8);
    await settle();
    const cells = of('counted').map((e) => e.cell);
    expect(cells).toHaveLength(2);
    expect(cells[0].cellId).toMatch(/^1:\d+$/);
    const neu = cells.find((c) => c.type === 'NEU')!;
    const lym = cells.find((c) => c.type === 'LYM')!;
    await session.history!.review({ cellId: neu.cellId, action: 'reject', operator: 'tester' });
    expect(lastDifferential().total).toBe(1);
    await session.history!.review({ cellId: lym.cellId, action: 'reclassify', newType: 'MON', operator: 'tester' });
    expect(lastDifferential().rows.find((r) => r.type === 'MON')!.count).toBe(1);
    expect(of('cell-updated').at(-1)).toMatchObject({ cellId: lym.cellId, cellType: 'MON', review: { action: 'reclassify', newType: 'MON' } });
    // The store agrees with the live view.
    const stored = store!.differential(1);
    expect(stored.counted).toBe(1);
    expect(stored.rejected).toBe(1);
    // Restore brings the NEU back.
    await session.history!.review({ cellId: neu.cellId, action: 'restore', operator: 'tester' });
    expect(lastDifferential().total).toBe(2);
    // History lists and opens the scan with its crops.
    const scans = await session.history!.listScans(10);
    expect(scans[0]).toMatchObject({ scanId: '1', source: 'sim:', total: 2 });
    const detail = await session.history!.openScan('1');
    expect(detail.cells).toHaveLength(2);
    expect(detail.cells.every((c) => c.cropJpegBase64 !== null)).toBe(true);
  });

  it('REVIEW - refuses a cell id that is not a stored cell', async () => {
    const { session } = setup({ store: true });
    await expect(session.history!.review({ cellId: 'live:3', action: 'reject', operator: 'x' })).rejects.toThrow("cell 'live:3' is not a stored cell");
    await expect(session.history!.review({ cellId: '9:9', action: 'reject', operator: 'x' })).rejects.toThrow('cell 9:9 is not stored yet');
    await expect(session.history!.openScan('abc')).rejects.toThrow("'abc' is not a scan id");
  });

  it('RESET - ends the stored scan as aborted and starts a new one with an empty differential', async () => {
    const { pipeline, session, store, of, lastDifferential, settle } = setup({ store: true });
    await session.execute({ type: 'start' });
    pipeline.push(8);
    await settle();
    await session.execute({ type: 'reset' });
    expect(of('reset')).toHaveLength(1);
    expect(lastDifferential().total).toBe(0);
    expect(of('status').at(-1)!.status).toMatchObject({ scan: 'running', scanId: '2' });
    expect(store!.getScan(1).status).toBe('aborted');
    pipeline.push(8, 100);
    await settle();
    expect(lastDifferential().total).toBe(2);
  });

  it('close() unsubscribes the pipeline and leaves a running scan paused in the store', async () => {
    const { pipeline, session, store } = setup({ store: true });
    await session.execute({ type: 'start' });
    await session.close();
    expect(pipeline.subscribers[0].closed).toBe(true);
    expect(store!.getScan(1).status).toBe('paused');
    await expect(session.execute({ type: 'start' })).rejects.toThrow('the scan session is closed');
  });
});
