/**
 * PipelineScanSession with registerOffThread (what `leukoscan serve` runs): the same counts and
 * overlays as with the registration on the event loop, for the REAL slide counter fed by the
 * scripted pipeline (FAKE capture/detector); a reset drops the frames queued for the old scan.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineScanSession } from '../../src/app/pipeline-session.js';
import type { SessionEvent } from '../../src/stream/session.js';
import { validateServeSource } from '../../src/stream/sources.js';
import { ScriptedPipeline } from '../stream/scripted-pipeline.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function setup(registerOffThread: boolean) {
  const pipeline = new ScriptedPipeline();
  const session = new PipelineScanSession({ pipeline: pipeline.factory, validateSource: validateServeSource, source: 'sim:', target: 100, store: null, registerOffThread });
  cleanups.push(() => session.close());
  const events: SessionEvent[] = [];
  const sub = session.events$.subscribe((e) => events.push(e));
  cleanups.push(() => sub.unsubscribe());
  const of = <K extends SessionEvent['kind']>(kind: K) => events.filter((e): e is Extract<SessionEvent, { kind: K }> => e.kind === kind);
  /** Waits until `n` overlays were emitted (bounded). */
  const overlays = async (n: number) => {
    for (let i = 0; i < 200 && of('overlay').length < n; i++) await new Promise((r) => setTimeout(r, 25));
    return of('overlay').map((e) => e.overlay);
  };
  return { pipeline, session, of, overlays };
}

describe('PipelineScanSession, registration off the event loop', () => {
  it('counts the same cells with the same overlays as the registration on the event loop', async () => {
    const inline = setup(false);
    const off = setup(true);
    for (const s of [inline, off]) {
      await s.session.execute({ type: 'start' });
      s.pipeline.push(8);
    }
    // one overlay per frame and one per detection
    const expected = await inline.overlays(16);
    expect(expected).toHaveLength(16);
    expect(await off.overlays(16)).toEqual(expected);
    expect(off.of('differential').at(-1)!.differential).toEqual(inline.of('differential').at(-1)!.differential);
    expect(off.of('differential').at(-1)!.differential.total).toBe(2);
  });

  it('RESET - frames queued for the old scan are not counted in the new one', async () => {
    const { pipeline, session, of, overlays } = setup(true);
    const events: SessionEvent[] = [];
    session.events$.subscribe((e) => events.push(e));
    await session.execute({ type: 'start' });
    pipeline.push(4); // frames 0-3, their counts still waiting for the worker
    await session.execute({ type: 'reset' });
    pipeline.push(4, 100); // the new capture's frames, renumbered 4-7
    await overlays(8);
    await new Promise((r) => setTimeout(r, 100));
    const afterReset = events.slice(events.findIndex((e) => e.kind === 'reset'));
    const seqs = afterReset.flatMap((e) => (e.kind === 'overlay' ? [e.overlay.seq] : []));
    expect(seqs.length).toBeGreaterThan(0);
    expect(seqs.every((seq) => seq >= 4)).toBe(true);
    expect(of('differential').at(-1)!.differential.total).toBe(2);
  });
});
