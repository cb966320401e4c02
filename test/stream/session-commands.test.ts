/**
 * Operator commands sent together (a double click, three resets in a row, 300 at once) against the
 * REAL PipelineScanSession and scan store, with the scripted pipeline (FAKE capture/detector).
 * Issue 25 item 1: at most one open scan, and the status matches the pipeline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { PipelineScanSession } from '../../src/app/pipeline-session.js';
import type { SessionCommand } from '../../src/stream/session.js';
import { sessionOnStore } from './session-harness.js';
import { probeSource } from '../../src/capture/probe-source.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** FAKE probe by default (every source opens at once); the real one where a test says so. */
function setup(probe: (source: string) => Promise<void> = async () => {}) {
  const h = sessionOnStore({ cleanups, probeSource: probe });
  const lastStatus = () => h.last('status').status;
  const openScans = () => h.store.listScans().filter((s) => s.status === 'running' || s.status === 'paused');
  return { ...h, lastStatus, openScans };
}

/** Sends every command without waiting, then waits for all; returns the settled outcomes. */
async function fire(session: PipelineScanSession, commands: readonly SessionCommand[]) {
  return Promise.allSettled(commands.map((c) => session.execute(c)));
}

/** The store and the pipeline agree with the status: one open scan at most, connected iff running. */
function expectConsistent(s: ReturnType<typeof setup>): void {
  const status = s.lastStatus();
  const open = s.openScans();
  expect(open.length).toBeLessThanOrEqual(1);
  expect(s.pipeline.active !== undefined, `pipeline connected while status is ${status.scan}`).toBe(status.scan === 'running');
  if (status.scan === 'running' || status.scan === 'paused' || status.scan === 'complete') {
    expect(open.map((o) => String(o.id))).toEqual([status.scanId]);
  } else {
    expect(open).toEqual([]);
  }
}

describe('operator commands are applied one at a time, in order', () => {
  it('THREE RESETS back to back leave one open scan, not one running for ever', async () => {
    const s = setup();
    await s.session.execute({ type: 'start' });
    await fire(s.session, [{ type: 'reset' }, { type: 'reset' }, { type: 'reset' }]);
    expectConsistent(s);
    expect(s.lastStatus().scan).toBe('running');
    expect(s.store.listScans().map((x) => x.status)).toEqual(['running', 'aborted', 'aborted', 'aborted']);
  });

  it('PAUSE, RESET, START sent together end running, with the pipeline connected', async () => {
    const s = setup();
    await s.session.execute({ type: 'start' });
    await fire(s.session, [{ type: 'pause' }, { type: 'reset' }, { type: 'start' }]);
    expectConsistent(s);
    expect(s.lastStatus().scan).toBe('running');
    // The pipeline that runs counts: frames pushed now reach the differential.
    s.pipeline.push(8);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.store.getScan(Number(s.lastStatus().scanId)).status).toBe('running');
  });

  it('DOUBLE CLICK on Start opens one scan', async () => {
    const s = setup();
    await fire(s.session, [{ type: 'start' }, { type: 'start' }]);
    expectConsistent(s);
    expect(s.store.listScans()).toHaveLength(1);
  });

  it('resolves each command with the status it left, in the order sent', async () => {
    const s = setup();
    const results = await Promise.all([
      s.session.execute({ type: 'start' }),
      s.session.execute({ type: 'pause' }),
      s.session.execute({ type: 'start' }),
      s.session.execute({ type: 'stop' }),
    ]);
    expect(results.map((r) => r?.scan)).toEqual(['running', 'paused', 'running', 'stopped']);
  });

  it('300 COMMANDS fired without waiting: at most one open scan and the status matches the pipeline', async () => {
    const s = setup();
    // Deterministic mix (LCG) of every lifecycle command.
    const kinds: SessionCommand[] = [
      { type: 'start' }, { type: 'pause' }, { type: 'stop' }, { type: 'reset' },
      { type: 'setTarget', target: 50 }, { type: 'setSource', source: 'test:testsrc2' }, { type: 'setSource', source: 'sim:' },
    ];
    let seed = 7;
    const commands = Array.from({ length: 300 }, () => kinds[(seed = (seed * 1103515245 + 12345) & 0x7fffffff) % kinds.length]);
    const outcomes = await fire(s.session, commands);
    // Refusals are answers (e.g. pause while paused), never a crash.
    for (const o of outcomes) if (o.status === 'rejected') expect(String(o.reason)).toMatch(/cannot pause a scan that is/);
    expectConsistent(s);
    // And once more from a known point: the running scan counts frames.
    await s.session.execute({ type: 'start' });
    expectConsistent(s);
    s.pipeline.push(8);
    await new Promise((r) => setTimeout(r, 300));
    expect(s.store.listScans().filter((x) => x.status === 'running')).toHaveLength(1);
  });
});

describe('SWITCH SOURCE - a source that cannot be opened leaves the scan as it was', () => {
  it('BAD SOURCE - a missing file is refused with the reason; the scan, its source and the pipeline go on', async () => {
    const s = setup((source) => probeSource(source, { timeoutMs: 5000 }));
    await s.session.execute({ type: 'start' });
    const scanId = s.lastStatus().scanId;
    await expect(s.session.execute({ type: 'setSource', source: '/no/such/slide.mp4' })).rejects.toThrow(
      "cannot switch source: /no/such/slide.mp4: file not found: /no/such/slide.mp4; the scan goes on with sim:",
    );
    expect(s.lastStatus()).toMatchObject({ scan: 'running', source: 'sim:', scanId });
    expect(s.pipeline.sources).toEqual(['sim:']);
    expect(s.pipeline.active).toBeDefined();
    expect(s.store.getScan(Number(scanId)).status).toBe('running');
  });
});
