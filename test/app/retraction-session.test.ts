/**
 * Issue 25 item 6, end to end in the scan session: a reader that joined a video after it began sees
 * it start over; the new segment merges onto the old map and the one cell counted twice has its
 * second count taken back. The live differential drops (9 -> 8), viewers get 'cell-retracted', and
 * the store's differential and cells agree with the live view.
 *
 * REAL PipelineScanSession, slide counter and scan store; FAKE pipeline pushing the synthetic
 * video of test/track/restart-video.ts with oracle detections (no ffmpeg, no model).
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { SessionEvent } from '../../src/stream/session.js';
import { sessionOnStore } from '../stream/session-harness.js';
import { CELLS, oracle, render, RESTART_AT, video } from '../track/restart-video.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('RETRACTION in the scan session - a count taken back reaches the live differential, the viewers and the store', () => {
  it('the reader joined 10 frames into the video: 9 counted, then 8 once the maps merge', async () => {
    const { pipeline, store, session, events } = sessionOnStore({ cleanups });
    const of = <K extends SessionEvent['kind']>(kind: K) => events.filter((e): e is Extract<SessionEvent, { kind: K }> => e.kind === kind);

    await session.execute({ type: 'start' });
    const shown = [...video(10, RESTART_AT), ...video(0)];
    shown.forEach((s, seq) => {
      const frame = render(s, seq);
      pipeline.active!.next({ type: 'frame', frame, sentToDetector: true });
      pipeline.active!.next({ type: 'detections', frame, detections: oracle(s), timing: { arrivalMs: 0, startedMs: 0, publishedMs: 0, latencyMs: 0, detectMs: 40 } });
    });
    // crops are encoded and cells stored in order, after the frames were counted
    for (let i = 0; i < 100 && of('cell-retracted').length === 0; i++) await new Promise((r) => setTimeout(r, 50));

    // the live differential: up to 9 while the cell was counted twice, 8 after the merge
    const totals = of('differential').map((e) => e.differential.total);
    expect(Math.max(...totals)).toBe(CELLS.length + 1);
    expect(totals.at(-1)).toBe(CELLS.length);
    // viewers: 9 cells were announced, then the later of the two was taken back, naming the one kept
    const counted = of('counted').map((e) => e.cell);
    expect(counted).toHaveLength(CELLS.length + 1);
    const [retracted] = of('cell-retracted');
    expect(of('cell-retracted')).toHaveLength(1);
    const scanId = of('status').at(-1)!.status.scanId;
    expect(retracted.cellId).toMatch(new RegExp(`^${scanId}:\\d+$`));
    const goneIndex = counted.findIndex((c) => c.cellId === retracted.cellId);
    const keptIndex = counted.findIndex((c) => c.cellId === retracted.keptCellId);
    expect(keptIndex).toBeGreaterThanOrEqual(0);
    expect(goneIndex).toBeGreaterThan(keptIndex); // the later count goes
    expect(counted[goneIndex].type).toBe(counted[keptIndex].type);
    // the overlay no longer marks it counted (it is gone from the map)
    expect(of('overlay').at(-1)!.overlay.cells.some((c) => c.trackId === counted[goneIndex].trackId)).toBe(false);

    // the store agrees: 8 cells, 8 counted, the retracted one not among them
    await store.flush();
    const stored = store.differential(Number(scanId));
    expect(stored.counted).toBe(CELLS.length);
    expect(stored.rows.map((r) => r.count)).toEqual(of('differential').at(-1)!.differential.rows.map((r) => r.count));
    const trackIds = store.listCells(Number(scanId)).map((c) => c.trackId);
    expect(trackIds).toHaveLength(CELLS.length);
    expect(trackIds).not.toContain(counted[goneIndex].trackId);
    expect(trackIds).toContain(counted[keptIndex].trackId);
  }, 120_000);
});
