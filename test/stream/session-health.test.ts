/** Issue 25 item 6: during an RTSP outage the source health says so (REAL session, scripted FAKE pipeline). */
import { afterEach, describe, expect, it } from 'vitest';
import type { HealthEvent } from '../../src/capture/health.js';
import { PipelineScanSession } from '../../src/app/pipeline-session.js';
import type { SessionEvent } from '../../src/stream/session.js';
import { validateServeSource } from '../../src/stream/sources.js';
import { ScriptedPipeline } from './scripted-pipeline.js';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('source health during an outage', () => {
  it.each<[string, HealthEvent, string, RegExp | null]>([
    // [case, capture health event, state shown, message]
    ['the camera stopped sending', { type: 'stalled', source: 'rtsp://cam/x', silentMs: 5000, atMs: 0 }, 'stalled', /no frame for 5\.0 s/],
    ['ffmpeg is being restarted', { type: 'reconnecting', source: 'rtsp://cam/x', attempt: 2, delayMs: 1000, reason: 'Connection refused', atMs: 0 }, 'reconnecting', /reconnecting to rtsp:\/\/cam\/x in 1\.0 s \(attempt 2\): Connection refused/],
    ['frames flow again', { type: 'connected', source: 'rtsp://cam/x', attempt: 2, atMs: 0 }, 'running', null],
  ])('%s', async (_case, health, state, message) => {
    const pipeline = new ScriptedPipeline();
    const session = new PipelineScanSession({ pipeline: pipeline.factory, validateSource: validateServeSource, source: 'rtsp://cam/x', target: 100, store: null });
    cleanups.push(() => session.close());
    const events: SessionEvent[] = [];
    const sub = session.events$.subscribe((e) => events.push(e));
    cleanups.push(() => sub.unsubscribe());
    await session.execute({ type: 'start' });
    pipeline.active!.next({ type: 'health', health });
    const shown = events.filter((e) => e.kind === 'health').at(-1)!;
    expect(shown.kind === 'health' && shown.health.source.state).toBe(state);
    if (message !== null) expect(shown.kind === 'health' && shown.health.source.message).toMatch(message);
  });
});
