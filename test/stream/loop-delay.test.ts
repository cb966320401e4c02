/** The server's event-loop delay: measured over each metrics interval, in /healthz and in metrics. */
import { afterEach, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/stream/auth.js';
import { LoopDelayMonitor } from '../../src/stream/loop-delay.js';
import { StreamServer } from '../../src/stream/server.js';
import { ScriptedScanSession, syntheticFrame } from './scripted-session.js';
import { TestViewer } from './test-client.js';

const UI = { html: Buffer.from('<!doctype html><title>t</title>'), js: Buffer.from('//js'), css: Buffer.from('/*css*/') };
const VIEWER = 'viewer-token-0123456789ab';

function busy(ms: number): void {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    // blocks the event loop, as a synchronous JPEG encode or FFT would
  }
}

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('LoopDelayMonitor', () => {
  it('reports a blocked loop in max and p99 of its interval, and not in the next one', async () => {
    const monitor = new LoopDelayMonitor({ intervalMs: 200 });
    cleanups.push(() => monitor.close());
    expect(monitor.last).toEqual({ p50Ms: 0, p99Ms: 0, maxMs: 0, intervalMs: 0 });
    const seen: number[] = [];
    const poll = setInterval(() => seen.push(monitor.last.maxMs), 50);
    cleanups.push(() => clearInterval(poll));
    // Three blocks at different phases of the interval: none may be lost to the reset.
    // 400 ms: longer than the stalls a loaded 2-core machine causes by itself.
    for (const at of [230, 1030, 1835]) setTimeout(() => busy(400), at);
    await tick(2800);
    const peaks = seen.filter((v, i) => v >= 350 && seen[i - 1] !== v);
    expect(peaks.length).toBeGreaterThanOrEqual(3); // a block at a boundary may show in both intervals
    expect(monitor.last.maxMs).toBeLessThan(350);
    expect(monitor.last.intervalMs).toBeGreaterThan(150);
  });
});

describe('stream server: event-loop delay', () => {
  it('puts p50/p99/max of the last interval in /healthz and in each metrics message', async () => {
    const session = new ScriptedScanSession({ frames: [syntheticFrame(320, 240, 1)], fps: 30, countEvery: 5, autostart: false, withHistory: false });
    const server = await StreamServer.create({
      session,
      auth: createAuth({ operatorToken: 'operator-token-0123456789', viewerToken: VIEWER }),
      ui: UI,
      config: { port: 0, metricsIntervalMs: 300 },
    });
    cleanups.push(() => session.close(), () => server.close());
    const v = await TestViewer.connect(`ws://127.0.0.1:${server.address.port}/ws?token=${VIEWER}`);
    cleanups.push(() => v.close());
    await v.waitForType('metrics');
    busy(150);
    await v.waitFor(() => v.of('metrics').some((m) => (m.eventLoopDelay?.maxMs ?? 0) >= 100), 'a metrics message with the 150 ms block', 3000);
    const m = v.of('metrics').find((x) => (x.eventLoopDelay?.maxMs ?? 0) >= 100)!;
    expect(m.eventLoopDelayMs).toBe(m.eventLoopDelay!.maxMs);
    const health = (await (await fetch(`http://127.0.0.1:${server.address.port}/healthz`)).json()) as Record<string, unknown>;
    expect(health).toMatchObject({ ok: true, protocol: 1 });
    expect(Object.keys(health.eventLoopDelay as object).sort()).toEqual(['intervalMs', 'maxMs', 'p50Ms', 'p99Ms']);
    expect(health.rssBytes).toBeGreaterThan(10 * 2 ** 20);
  });
});
