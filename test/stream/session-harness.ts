/**
 * The REAL PipelineScanSession on a REAL scan store in a temporary folder, fed by the scripted
 * pipeline (FAKE capture/detector). Everything it makes is released by the cleanups it is given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ScanStore } from '../../src/store/scan-store.js';
import { PipelineScanSession } from '../../src/app/pipeline-session.js';
import type { SessionEvent } from '../../src/stream/session.js';
import { validateServeSource } from '../../src/stream/sources.js';
import { ScriptedPipeline } from './scripted-pipeline.js';

export interface HarnessOptions {
  readonly cleanups: (() => Promise<void> | void)[];
  readonly source?: string;
  /** An existing store (e.g. with a crashed scan in it); else a new one in a temporary folder. */
  readonly store?: ScanStore;
  readonly probeSource?: (source: string) => Promise<void>;
}

export function sessionOnStore(options: HarnessOptions) {
  const { cleanups } = options;
  let store = options.store;
  if (store === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'leukoscan-session-'));
    const opened = ScanStore.open(dir);
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(async () => void (await opened.close()));
    store = opened;
  }
  const pipeline = new ScriptedPipeline();
  const session = new PipelineScanSession({
    pipeline: pipeline.factory,
    validateSource: validateServeSource,
    probeSource: options.probeSource,
    source: options.source ?? 'sim:',
    target: 100,
    store: { store, model: { name: 'fake-model', sha256: 'ab'.repeat(32), version: 'test' }, operator: 'tester' },
  });
  cleanups.push(() => session.close());
  const events: SessionEvent[] = [];
  const sub = session.events$.subscribe((e) => events.push(e));
  cleanups.push(() => sub.unsubscribe());
  const last = <K extends SessionEvent['kind']>(kind: K) => events.filter((e): e is Extract<SessionEvent, { kind: K }> => e.kind === kind).at(-1)!;
  return { pipeline, store, session, events, last };
}
