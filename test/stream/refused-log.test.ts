/** Issue 25 item 6: a token-guessing loop does not flood the server log (REAL server, SCRIPTED session). */
import { afterEach, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/stream/auth.js';
import { StreamServer } from '../../src/stream/server.js';
import { ScriptedScanSession, syntheticFrame } from './scripted-session.js';
import { upgradeStatus } from './test-client.js';

const UI = { html: Buffer.from('<!doctype html><title>t</title>'), js: Buffer.from('//js'), css: Buffer.from('/*css*/') };
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('refused connections in the log', () => {
  it('FLOOD - 60 refused upgrades write at most 10 lines (all are still counted)', async () => {
    const session = new ScriptedScanSession({ frames: [syntheticFrame(64, 48, 1)], fps: 5, countEvery: 5 });
    const lines: string[] = [];
    const server = await StreamServer.create({
      session,
      auth: createAuth({ operatorToken: 'operator-token-0123456789', viewerToken: 'viewer-token-0123456789ab' }),
      ui: UI,
      config: { port: 0 },
      log: (l) => lines.push(l),
    });
    cleanups.push(() => session.close(), () => server.close());
    const { port } = server.address;
    for (let i = 0; i < 60; i++) expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws?token=guess-${i}-xxxxxxxxxxxxxxxx`)).toBe(401);
    expect(server.stats().rejectedUpgrades).toBe(60);
    expect(lines.filter((l) => l.startsWith('refused a viewer'))).toHaveLength(10);
  });
});
