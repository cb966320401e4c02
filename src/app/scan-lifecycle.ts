/**
 * The scan lifecycle as ONE pure reducer: (state, input, context) → the next state and the effects
 * the shell must run, in order. Operator commands and what the pipeline reports (the source ended or
 * failed, the target was reached, the store stopped taking writes) are inputs alike, so whoever
 * applies them one at a time (src/app/serial-queue.ts) can never interleave two transitions.
 *
 * A scan is open (started in the store, not ended) exactly while the phase is running, paused or
 * complete; `open-scan` is only ever emitted from a closed phase, so two open scans cannot happen.
 * The pipeline is connected exactly while the phase is running.
 *
 *   idle ──start──▶ running ──pause──▶ paused ──start──▶ running
 *   running ──target reached──▶ complete ──setTarget above──▶ paused
 *   running | paused | complete ──stop / source ended──▶ stopped ──start──▶ running (a new scan)
 *   any ──reset──▶ idle, or running on a new scan when it was running
 */
import type { ScanState } from '../stream/protocol.js';
import type { SessionCommand } from '../stream/session.js';

export type ScanPhase = ScanState;

export interface LifecycleState {
  readonly phase: ScanPhase;
  readonly target: number;
  /** The source the pipeline connects to (the full URI: redact before it leaves the process). */
  readonly source: string;
  readonly startedAtMs: number | null;
}

/** An interrupted scan taken over from the store: its counts are already in the counter. */
export interface ResumedScan {
  readonly scanId: number;
  readonly target: number;
  readonly startedAtMs: number;
}

export type LifecycleInput =
  /** start, pause, stop, reset, setTarget; setSource once the shell has checked the new source (opened, one frame read). ('recalibrate' is the detector's, not the lifecycle's.) */
  | Exclude<SessionCommand, { readonly type: 'resumeInterrupted' | 'closeInterrupted' | 'recalibrate' }>
  /** Resume an interrupted scan (idle only); the shell restores its counts. */
  | { readonly type: 'resumeInterrupted'; readonly scan: ResumedScan }
  | { readonly type: 'sourceEnded' }
  | { readonly type: 'sourceFailed' }
  | { readonly type: 'targetReached' }
  | { readonly type: 'storePaused' };

export interface LifecycleContext {
  readonly nowMs: number;
  /** Cells in the live differential now. */
  readonly total: number;
}

export type LifecycleEffect =
  /** Start a new scan (in the store, or a new local number without one). */
  | { readonly kind: 'open-scan' }
  /** Take the open scan back after a pause (the store marks it running again). */
  | { readonly kind: 'reopen-scan' }
  /** Take over an interrupted scan from the store: its stored counts are the live differential's base. */
  | { readonly kind: 'take-over-scan'; readonly scanId: number }
  | { readonly kind: 'pause-scan'; readonly reason: string }
  /** Flush what is counted, then end the open scan. */
  | { readonly kind: 'end-scan'; readonly status: 'completed' | 'aborted' }
  /** A new, empty counter; viewers' galleries empty. */
  | { readonly kind: 'clear-counts' }
  | { readonly kind: 'connect' }
  | { readonly kind: 'disconnect' };

export type LifecycleResult =
  | { readonly ok: true; readonly state: LifecycleState; readonly effects: readonly LifecycleEffect[] }
  | { readonly ok: false; readonly error: string };

const OPEN_PHASES: ReadonlySet<ScanPhase> = new Set(['running', 'paused', 'complete']);

/** True while a scan is open: started and not yet ended. */
export function isScanOpen(phase: ScanPhase): boolean {
  return OPEN_PHASES.has(phase);
}

export function initialLifecycle(source: string, target: number): LifecycleState {
  return { phase: 'idle', target, source, startedAtMs: null };
}

const ok = (state: LifecycleState, effects: LifecycleEffect[] = []): LifecycleResult => ({ ok: true, state, effects });
const refuse = (error: string): LifecycleResult => ({ ok: false, error });

/** Pure: the transition for one input. Refused inputs change nothing. */
export function reduceLifecycle(state: LifecycleState, input: LifecycleInput, ctx: LifecycleContext): LifecycleResult {
  const { phase } = state;
  switch (input.type) {
    case 'start': {
      if (phase === 'running') return ok(state);
      if (phase === 'complete' && ctx.total >= state.target) {
        return refuse(`the target of ${state.target} cells is reached: raise the target or reset to count more`);
      }
      if (isScanOpen(phase)) return ok({ ...state, phase: 'running' }, [{ kind: 'reopen-scan' }, { kind: 'connect' }]);
      // A stopped scan is finished: Start begins a new one.
      const clear: LifecycleEffect[] = phase === 'stopped' ? [{ kind: 'clear-counts' }] : [];
      return ok({ ...state, phase: 'running', startedAtMs: ctx.nowMs }, [...clear, { kind: 'open-scan' }, { kind: 'connect' }]);
    }
    case 'pause':
      if (phase !== 'running') return refuse(`cannot pause a scan that is ${phase}`);
      return ok({ ...state, phase: 'paused' }, [{ kind: 'disconnect' }, { kind: 'pause-scan', reason: 'operator' }]);
    case 'stop':
      if (!isScanOpen(phase)) return ok(state);
      return ok({ ...state, phase: 'stopped' }, [...disconnect(phase), { kind: 'end-scan', status: 'completed' }]);
    case 'reset': {
      const end: LifecycleEffect[] = isScanOpen(phase) ? [...disconnect(phase), { kind: 'end-scan', status: 'aborted' }] : [];
      if (phase === 'running') {
        return ok({ ...state, phase: 'running', startedAtMs: ctx.nowMs }, [...end, { kind: 'clear-counts' }, { kind: 'open-scan' }, { kind: 'connect' }]);
      }
      return ok({ ...state, phase: 'idle', startedAtMs: null }, [...end, { kind: 'clear-counts' }]);
    }
    case 'setTarget': {
      const next = { ...state, target: input.target };
      if (phase === 'complete' && ctx.total < input.target) return ok({ ...next, phase: 'paused' });
      if (phase === 'running' && ctx.total >= input.target) return reachTarget(next);
      return ok(next);
    }
    case 'setSource': {
      const next = { ...state, source: input.source };
      return phase === 'running' ? ok(next, [{ kind: 'disconnect' }, { kind: 'connect' }]) : ok(next);
    }
    case 'resumeInterrupted':
      if (phase !== 'idle') return refuse(`cannot resume an interrupted scan while this one is ${phase}: stop or reset it first`);
      return ok({ ...state, phase: 'running', target: input.scan.target, startedAtMs: input.scan.startedAtMs }, [
        { kind: 'clear-counts' },
        { kind: 'take-over-scan', scanId: input.scan.scanId },
        { kind: 'connect' },
      ]);
    case 'sourceEnded':
    case 'sourceFailed':
      // Only the connected pipeline reports; a report that arrives after a pause or stop is stale.
      if (phase !== 'running') return ok(state);
      return ok({ ...state, phase: 'stopped' }, [
        { kind: 'disconnect' },
        { kind: 'end-scan', status: input.type === 'sourceEnded' ? 'completed' : 'aborted' },
      ]);
    case 'targetReached':
      if (phase !== 'running' || ctx.total < state.target) return ok(state);
      return reachTarget(state);
    case 'storePaused':
      // The store holds the cells and retries; the operator resumes with Start.
      if (phase !== 'running') return ok(state);
      return ok({ ...state, phase: 'paused' }, [{ kind: 'disconnect' }]);
  }
}

function reachTarget(state: LifecycleState): LifecycleResult {
  return ok({ ...state, phase: 'complete' }, [{ kind: 'disconnect' }, { kind: 'pause-scan', reason: 'target reached' }]);
}

function disconnect(phase: ScanPhase): LifecycleEffect[] {
  return phase === 'running' ? [{ kind: 'disconnect' }] : [];
}
