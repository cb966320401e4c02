/**
 * The WebSocket origin check: browser pages only from the dashboard's own
 * origin or an --allow-origin one; clients without Origin need only the token.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/stream/auth.js';
import type { StreamConfig } from '../../src/stream/config.js';
import { normaliseOrigin, originAllowed } from '../../src/stream/origin.js';
import { StreamServer } from '../../src/stream/server.js';
import { ScriptedScanSession, syntheticFrame } from './scripted-session.js';
import { upgradeStatus } from './test-client.js';

const UI = { html: Buffer.from('<!doctype html><title>t</title>'), js: Buffer.from('//js'), css: Buffer.from('/*css*/') };
const VIEWER = 'viewer-token-0123456789ab';

describe('originAllowed (pure)', () => {
  // [origin header, host header, allowed, expected]
  const cases: [string | undefined, string | undefined, string[], boolean][] = [
    [undefined, '127.0.0.1:8787', [], true], // no Origin: not a browser page; the token decides
    ['http://127.0.0.1:8787', '127.0.0.1:8787', [], true], // the dashboard's own page
    ['http://LOCALHOST:8787', 'localhost:8787', [], true], // case does not matter
    ['http://localhost', 'localhost:80', [], true], // default port written or not
    ['http://evil.example', '127.0.0.1:8787', [], false], // another site
    ['http://127.0.0.1:9999', '127.0.0.1:8787', [], false], // another port is another origin
    ['http://127.0.0.1:8787', undefined, [], false], // no Host to compare with
    ['null', '127.0.0.1:8787', [], false], // sandboxed iframe or file:// page
    ['https://lab.example:8443', '127.0.0.1:8787', ['https://lab.example:8443'], true], // --allow-origin
    ['https://lab.example:8444', '127.0.0.1:8787', ['https://lab.example:8443'], false], // not the allowed one
  ];
  it.each(cases)('origin %s, host %s, allowed %j -> %s', (origin, host, allowed, expected) => {
    expect(originAllowed(origin, host, allowed)).toBe(expected);
  });

  it('BAD ORIGIN - --allow-origin refuses a path, another scheme or garbage, naming it', () => {
    expect(normaliseOrigin('HTTPS://Lab.Example:443/')).toBe('https://lab.example');
    expect(() => normaliseOrigin('https://lab.example/dashboard')).toThrow("bad origin 'https://lab.example/dashboard': an origin has no path");
    expect(() => normaliseOrigin('ftp://lab.example')).toThrow('only http and https');
    expect(() => normaliseOrigin('lab')).toThrow("bad origin 'lab'");
  });
});

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function server(config: Partial<StreamConfig> = {}): Promise<{ server: StreamServer; url: (token: string) => string }> {
  const session = new ScriptedScanSession({ frames: [syntheticFrame(320, 240, 1)], fps: 30, countEvery: 5, autostart: false, withHistory: false });
  const s = await StreamServer.create({ session, auth: createAuth({ operatorToken: 'operator-token-0123456789', viewerToken: VIEWER }), ui: UI, config: { port: 0, ...config } });
  cleanups.push(() => session.close(), () => s.close());
  return { server: s, url: (token) => `ws://127.0.0.1:${s.address.port}/ws?token=${token}` };
}

describe('stream server: origin check at the upgrade', () => {
  it('FORBIDDEN ORIGIN - refuses a page from another site even with a valid token (403)', async () => {
    const { server: s, url } = await server();
    expect(await upgradeStatus(url(VIEWER), 'http://evil.example')).toBe(403);
    expect(s.stats().rejectedUpgrades).toBe(1);
  });

  it("accepts the dashboard's own origin and --allow-origin ones, with the token", async () => {
    const { server: s, url } = await server({ allowedOrigins: ['https://lab.example:8443/'] });
    expect(await upgradeStatus(url(VIEWER), `http://127.0.0.1:${s.address.port}`)).toBe(101);
    expect(await upgradeStatus(url(VIEWER), 'https://lab.example:8443')).toBe(101);
    expect(await upgradeStatus(url('wrong-token-wrong-token'), 'https://lab.example:8443')).toBe(401);
  });

  it('NO ORIGIN - a non-browser client still needs the token (401 without, 101 with)', async () => {
    const { url } = await server();
    expect(await upgradeStatus(url('wrong-token-wrong-token'))).toBe(401);
    expect(await upgradeStatus(url(VIEWER))).toBe(101);
  });
});
