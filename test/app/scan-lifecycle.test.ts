import { describe, expect, it } from 'vitest';
import {
  type LifecycleEffect,
  type LifecycleInput,
  type LifecycleState,
  initialLifecycle,
  isScanOpen,
  reduceLifecycle,
} from '../../src/app/scan-lifecycle.js';

const ctx = { nowMs: 1000, total: 0 };
const kinds = (effects: readonly LifecycleEffect[]) => effects.map((e) => e.kind);

/** Applies inputs in order (refused ones change nothing); returns the last state and every effect. */
function run(inputs: readonly LifecycleInput[], total = 0, from: LifecycleState = initialLifecycle('sim:', 100)) {
  let state = from;
  const effects: LifecycleEffect[] = [];
  const refused: string[] = [];
  for (const input of inputs) {
    const r = reduceLifecycle(state, input, { nowMs: 1000, total });
    if (!r.ok) refused.push(r.error);
    else {
      state = r.state;
      effects.push(...r.effects);
    }
  }
  return { state, effects, refused };
}

const start = { type: 'start' } as const;
const pause = { type: 'pause' } as const;
const stop = { type: 'stop' } as const;
const reset = { type: 'reset' } as const;
const switchTo = (source: string) => ({ type: 'setSource', source }) as const;

describe('reduceLifecycle: one transition per input', () => {
  it.each<[string, LifecycleInput[], string, string[]]>([
    // [case, inputs, phase after, effects of the last input]
    ['start from idle opens a scan and connects', [start], 'running', ['open-scan', 'connect']],
    ['a second start (double click) does nothing', [start, start], 'running', []],
    ['pause disconnects and pauses the stored scan', [start, pause], 'paused', ['disconnect', 'pause-scan']],
    ['start after pause takes the same scan back', [start, pause, start], 'running', ['reopen-scan', 'connect']],
    ['stop ends the scan as completed', [start, stop], 'stopped', ['disconnect', 'end-scan']],
    ['stop of a paused scan: nothing to disconnect', [start, pause, stop], 'stopped', ['end-scan']],
    ['stop when idle does nothing', [stop], 'idle', []],
    ['start after stop begins a new scan with empty counts', [start, stop, start], 'running', ['clear-counts', 'open-scan', 'connect']],
    ['reset of a running scan: aborted, a new one runs', [start, reset], 'running', ['disconnect', 'end-scan', 'clear-counts', 'open-scan', 'connect']],
    ['reset of a paused scan: aborted, idle', [start, pause, reset], 'idle', ['end-scan', 'clear-counts']],
    ['reset when idle only clears', [reset], 'idle', ['clear-counts']],
    ['reset after stop only clears (the scan is already ended)', [start, stop, reset], 'idle', ['clear-counts']],
    ['switching source while running reconnects', [start, switchTo('test:testsrc2')], 'running', ['disconnect', 'connect']],
    ['switching source while paused changes nothing else', [start, pause, switchTo('test:testsrc2')], 'paused', []],
    ['the source ending stops the scan as completed', [start, { type: 'sourceEnded' }], 'stopped', ['disconnect', 'end-scan']],
    ['a source failure stops it as aborted', [start, { type: 'sourceFailed' }], 'stopped', ['disconnect', 'end-scan']],
    ['a stale source report after a pause is ignored', [start, pause, { type: 'sourceFailed' }], 'paused', []],
    ['the store refusing writes pauses (no store call)', [start, { type: 'storePaused' }], 'paused', ['disconnect']],
    ['resume an interrupted scan from idle', [{ type: 'resumeInterrupted', scan: { scanId: 12, target: 200, startedAtMs: 5 } }], 'running', ['clear-counts', 'take-over-scan', 'connect']],
  ])('%s', (_case, inputs, phase, lastEffects) => {
    let state = initialLifecycle('sim:', 100);
    let effects: readonly LifecycleEffect[] = [];
    for (const input of inputs) {
      const r = reduceLifecycle(state, input, ctx);
      if (!r.ok) throw new Error(r.error);
      state = r.state;
      effects = r.effects;
    }
    expect(state.phase).toBe(phase);
    expect(kinds(effects)).toEqual(lastEffects);
  });

  it('BAD COMMAND - pause of a scan that is not running is refused with the phase named', () => {
    expect(reduceLifecycle(initialLifecycle('sim:', 100), pause, ctx)).toEqual({ ok: false, error: 'cannot pause a scan that is idle' });
  });

  it('BAD COMMAND - resuming an interrupted scan while another is open is refused', () => {
    const { state } = run([start]);
    const r = reduceLifecycle(state, { type: 'resumeInterrupted', scan: { scanId: 3, target: 100, startedAtMs: 0 } }, ctx);
    expect(r).toEqual({ ok: false, error: 'cannot resume an interrupted scan while this one is running: stop or reset it first' });
  });

  it('TARGET - reached: complete and paused in the store; start refused until the target is raised', () => {
    const { state } = run([start, { type: 'targetReached' }], 100);
    expect(state.phase).toBe('complete');
    const again = reduceLifecycle(state, start, { nowMs: 0, total: 100 });
    expect(again).toEqual({ ok: false, error: 'the target of 100 cells is reached: raise the target or reset to count more' });
    const raised = reduceLifecycle(state, { type: 'setTarget', target: 150 }, { nowMs: 0, total: 100 });
    expect(raised.ok && raised.state).toMatchObject({ phase: 'paused', target: 150 });
  });

  it('TARGET - lowered below the count while running completes the scan', () => {
    const { state } = run([start]);
    const r = reduceLifecycle(state, { type: 'setTarget', target: 10 }, { nowMs: 0, total: 12 });
    expect(r.ok && r.state.phase).toBe('complete');
    expect(r.ok && kinds(r.effects)).toEqual(['disconnect', 'pause-scan']);
  });

  it('a targetReached that arrives after the count fell (a review) is ignored', () => {
    const { state } = run([start]);
    const r = reduceLifecycle(state, { type: 'targetReached' }, { nowMs: 0, total: 99 });
    expect(r.ok && r.state.phase).toBe('running');
  });
});

describe('reduceLifecycle: invariants over every interleaving', () => {
  const inputs: LifecycleInput[] = [
    start, pause, stop, reset, switchTo('test:testsrc2'), { type: 'setTarget', target: 5 }, { type: 'setTarget', target: 500 },
    { type: 'sourceEnded' }, { type: 'sourceFailed' }, { type: 'targetReached' }, { type: 'storePaused' },
    { type: 'resumeInterrupted', scan: { scanId: 9, target: 100, startedAtMs: 0 } },
  ];

  /** Every sequence of `length` inputs (12^4 = 20,736), with a count of 0 or 50 cells. */
  function* sequences(length: number): Generator<LifecycleInput[]> {
    const idx = new Array<number>(length).fill(0);
    for (;;) {
      yield idx.map((i) => inputs[i]);
      let k = length - 1;
      while (k >= 0 && ++idx[k] === inputs.length) idx[k--] = 0;
      if (k < 0) return;
    }
  }

  it('never two open scans; connected exactly while running; a scan is open exactly in running/paused/complete', () => {
    let checked = 0;
    for (const total of [0, 50]) {
      for (const seq of sequences(4)) {
        let state = initialLifecycle('sim:', 100);
        let open = 0;
        let connected = false;
        const fail = (what: string) => {
          throw new Error(`${what} after ${seq.map((s) => s.type).join(', ')} (total ${total})`);
        };
        for (const input of seq) {
          const r = reduceLifecycle(state, input, { nowMs: 0, total });
          if (!r.ok) continue;
          for (const e of r.effects) {
            if (e.kind === 'open-scan' || e.kind === 'take-over-scan') open++;
            if (e.kind === 'end-scan') open--;
            if (e.kind === 'connect' && connected) fail('connect while connected');
            if (e.kind === 'connect') connected = true;
            if (e.kind === 'disconnect') connected = false;
            if (open < 0) fail('an end without an open scan');
            if (open > 1) fail('two open scans');
          }
          state = r.state;
          if (connected !== (state.phase === 'running')) fail(`connected=${connected} in phase ${state.phase}`);
          if ((open === 1) !== isScanOpen(state.phase)) fail(`open=${open} in phase ${state.phase}`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(50_000);
  });
});
