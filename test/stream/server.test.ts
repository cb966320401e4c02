import { afterEach, describe, expect, it } from 'vitest';
import { createAuth, type Auth } from '../../src/stream/auth.js';
import { CLOSE_CODES, PROTOCOL_LIMITS, PROTOCOL_VERSION } from '../../src/stream/protocol.js';
import { StreamServer } from '../../src/stream/server.js';
import type { StreamConfig } from '../../src/stream/config.js';
import { ScriptedScanSession, syntheticFrame } from './scripted-session.js';
import { TestViewer, upgradeStatus } from './test-client.js';

const UI = { html: Buffer.from('<!doctype html><title>t</title>'), js: Buffer.from('//js'), css: Buffer.from('/*css*/') };
const OPERATOR = 'operator-token-0123456789';
const VIEWER = 'viewer-token-0123456789ab';

interface Harness {
  server: StreamServer;
  session: ScriptedScanSession;
  auth: Auth;
  ws(token: string): string;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function harness(
  opts: { config?: Partial<StreamConfig>; withHistory?: boolean; autostart?: boolean } = {},
): Promise<Harness> {
  const session = new ScriptedScanSession({
    frames: [syntheticFrame(320, 240, 1), syntheticFrame(320, 240, 2)],
    fps: 30,
    countEvery: 5,
    autostart: opts.autostart ?? false,
    withHistory: opts.withHistory ?? false,
  });
  const auth = createAuth({ operatorToken: OPERATOR, viewerToken: VIEWER });
  const server = await StreamServer.create({ session, auth, ui: UI, config: { port: 0, ...opts.config } });
  cleanups.push(() => session.close(), () => server.close());
  const { port } = server.address;
  return { server, session, auth, ws: (token) => `ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}` };
}

async function viewer(h: Harness, token: string, autoPong = true): Promise<TestViewer> {
  const v = await TestViewer.connect(h.ws(token), { autoPong });
  cleanups.push(() => v.close());
  await v.waitForType('hello');
  return v;
}

describe('stream server: authorisation at the upgrade', () => {
  it('UNAUTHORISED - refuses a viewer with no token (401)', async () => {
    const h = await harness();
    const { port } = h.server.address;
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/ws`)).toBe(401);
  });

  it('UNAUTHORISED - refuses a viewer with a wrong token (401)', async () => {
    const h = await harness();
    expect(await upgradeStatus(h.ws('not-the-token-at-all-xx'))).toBe(401);
    expect(h.server.stats().rejectedUpgrades).toBe(1);
  });

  it('refuses an upgrade on another path (404)', async () => {
    const h = await harness();
    const { port } = h.server.address;
    expect(await upgradeStatus(`ws://127.0.0.1:${port}/other?token=${OPERATOR}`)).toBe(404);
  });

  it('gives the viewer token the read-only role and the operator token the operator role', async () => {
    const h = await harness();
    const v = await viewer(h, VIEWER);
    const o = await viewer(h, OPERATOR);
    expect(v.of('hello')[0].role).toBe('viewer');
    expect(o.of('hello')[0].role).toBe('operator');
  });

  it('TOO MANY VIEWERS - refuses viewers past maxViewers (503)', async () => {
    const h = await harness({ config: { maxViewers: 2 } });
    await viewer(h, VIEWER);
    await viewer(h, VIEWER);
    expect(await upgradeStatus(h.ws(VIEWER))).toBe(503);
  });

  it('binds to 127.0.0.1 by default', async () => {
    const h = await harness();
    expect(h.server.address.host).toBe('127.0.0.1');
  });
});

describe('stream server: streaming', () => {
  it('sends state on connect, then frames with overlays tied by seq, counted cells with crops and differentials', async () => {
    const h = await harness({ autostart: true });
    const v = await viewer(h, VIEWER);
    await v.waitForType('status');
    await v.waitForType('differential');
    await v.waitFor(() => v.frames.length >= 3, '3 frames');
    await v.waitForType('overlay', 3);
    await v.waitForType('counted', 2);
    const frame = v.frames[v.frames.length - 1].header;
    expect(frame.sourceWidth).toBe(320);
    expect(v.frames[0].jpegBytes).toBeGreaterThan(100);
    const overlaySeqs = new Set(v.of('overlay').map((o) => o.seq));
    // Every frame sent has the overlay of the same seq somewhere in the stream (latest wins may skip some).
    expect(v.frames.some((f) => overlaySeqs.has(f.header.seq))).toBe(true);
    const counted = v.of('counted')[0].cell;
    expect(counted.cropJpegBase64).not.toBeNull();
    expect(Buffer.from(counted.cropJpegBase64 as string, 'base64').subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    const differential = v.of('differential').at(-1)!;
    expect(differential.rows.map((r) => r.type)).toEqual(['NEU', 'LYM', 'MON', 'EOS', 'BAS']);
    await v.waitFor(() => v.of('differential').some((d) => d.total >= 2), 'total >= 2');
    expect(v.invalid).toEqual([]);
  });

  it('RETRACTED - a count taken back reaches every viewer, and the gallery a new viewer gets no longer has the cell', async () => {
    const h = await harness({ autostart: true });
    const v = await viewer(h, VIEWER);
    await v.waitForType('counted', 2);
    const [kept, gone] = v.of('counted').map((m) => m.cell.cellId);
    h.session.inject({ kind: 'cell-retracted', cellId: gone, keptCellId: kept });
    expect(await v.waitForType('cellRetracted')).toEqual({ v: PROTOCOL_VERSION, type: 'cellRetracted', cellId: gone, keptCellId: kept });
    const late = await viewer(h, VIEWER);
    const gallery = (await late.waitForType('gallery')).cells.map((c) => c.cellId);
    expect(gallery).toContain(kept);
    expect(gallery).not.toContain(gone);
    expect(v.invalid).toEqual([]);
  });

  it('serves several viewers at once with the same stream', async () => {
    const h = await harness({ autostart: true });
    const viewers = await Promise.all([1, 2, 3, 4].map(() => viewer(h, VIEWER)));
    await Promise.all(viewers.map((v) => v.waitFor(() => v.frames.length >= 3, 'frames')));
    expect(h.server.stats().viewers).toBe(4);
  });

  it('downscales frames to frameMaxWidth for viewers', async () => {
    const h = await harness({ autostart: true, config: { frameMaxWidth: 160 } });
    const v = await viewer(h, VIEWER);
    await v.waitFor(() => v.frames.length >= 1, 'a frame');
    expect(v.frames[0].header).toMatchObject({ width: 160, height: 120, sourceWidth: 320, sourceHeight: 240 });
  });

  it('encodes nothing while no viewer is connected', async () => {
    const h = await harness({ autostart: true });
    await new Promise((r) => setTimeout(r, 300));
    expect(h.session.framesProduced).toBeGreaterThan(3);
    expect(h.server.stats().framesEncoded).toBe(0);
  });

  it('sends per-viewer metrics and source health', async () => {
    const h = await harness({ autostart: true, config: { metricsIntervalMs: 100 } });
    const v = await viewer(h, VIEWER);
    const m = await v.waitForType('metrics', 2);
    expect(m.viewers).toBe(1);
    expect(m.rssBytes).toBeGreaterThan(0);
    const health = await v.waitForType('health', 2);
    expect(health.source.state).toBe('running');
  });
});

describe('stream server: viewer messages', () => {
  it('MALFORMED - answers invalid JSON with bad_message and keeps the connection', async () => {
    const h = await harness();
    const o = await viewer(h, OPERATOR);
    o.send('{not json');
    const err = await o.waitForType('error');
    expect(err).toMatchObject({ code: 'bad_message', message: 'message is not valid JSON' });
    o.send({ v: PROTOCOL_VERSION, type: 'start', id: 'after' });
    expect(await o.waitForType('ack')).toMatchObject({ id: 'after', command: 'start' });
    expect(o.closed).toBeNull();
  });

  it('MALFORMED - rejects unknown types, extra keys and out-of-range values, naming the field', async () => {
    const h = await harness();
    const o = await viewer(h, OPERATOR);
    o.send({ v: PROTOCOL_VERSION, type: 'format-disk', id: 'a' });
    o.send({ v: PROTOCOL_VERSION, type: 'setTarget', target: -5, id: 'b' });
    o.send({ v: PROTOCOL_VERSION, type: 'start', id: 'c', extra: 1 });
    o.send({ v: PROTOCOL_VERSION, type: 'review', id: 'd', cellId: 'x', action: 'reclassify' });
    await o.waitForType('error', 4);
    const errors = o.of('error');
    expect(errors.map((e) => [e.id, e.code])).toEqual([
      ['a', 'bad_message'],
      ['b', 'bad_message'],
      ['c', 'bad_message'],
      ['d', 'bad_message'],
    ]);
    expect(errors[1].message).toMatch(/^target: /);
    expect(errors[2].message).toMatch(/extra/);
    expect(errors[3].message).toBe('newType: reclassify needs newType');
    expect(h.session.commands).toEqual([]);
    expect(o.closed).toBeNull();
  });

  it('UNSUPPORTED VERSION - rejects a message of another protocol version', async () => {
    const h = await harness();
    const o = await viewer(h, OPERATOR);
    o.send({ v: 2, type: 'start', id: 'v2' });
    const err = await o.waitForType('error');
    expect(err).toMatchObject({ id: 'v2', code: 'unsupported_version' });
    expect(err.message).toContain('server speaks v1');
  });

  it('UNAUTHORISED - a read-only viewer cannot control the scan, and stays connected', async () => {
    const h = await harness({ config: { maxBadMessages: 10 } });
    const v = await viewer(h, VIEWER);
    for (const msg of [
      { type: 'start' },
      { type: 'stop' },
      { type: 'reset' },
      { type: 'setTarget', target: 200 },
      { type: 'setSource', source: 'rtsp://x' },
      { type: 'review', cellId: 'c1', action: 'reject' },
    ]) {
      v.send({ v: PROTOCOL_VERSION, id: msg.type, ...msg });
    }
    await v.waitForType('error', 6);
    expect(v.of('error').every((e) => e.code === 'unauthorised')).toBe(true);
    expect(v.of('error')[0].message).toBe('start needs the operator token; this connection is read-only');
    expect(h.session.commands).toEqual([]);
    // Still connected, and read-only requests still work.
    v.send({ v: PROTOCOL_VERSION, type: 'listScans', id: 'still-here' });
    expect(await v.waitForType('error', 7)).toMatchObject({ id: 'still-here', code: 'not_available' });
    expect(v.closed).toBeNull();
  });

  it('TOO MANY - closes a viewer after maxBadMessages invalid messages (1008)', async () => {
    const h = await harness({ config: { maxBadMessages: 3 } });
    const v = await viewer(h, VIEWER);
    for (let i = 0; i < 4; i++) v.send('nope');
    const closed = await v.waitForClose();
    expect(closed).toEqual({ code: CLOSE_CODES.POLICY_VIOLATION, reason: 'too many invalid messages' });
  });

  it('OVERSIZED - closes a viewer whose message exceeds maxPayload (1009)', async () => {
    const h = await harness();
    const o = await viewer(h, OPERATOR);
    o.send({ v: PROTOCOL_VERSION, type: 'setSource', source: 'x'.repeat(PROTOCOL_LIMITS.MAX_CLIENT_MESSAGE_BYTES + 10) });
    const closed = await o.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.MESSAGE_TOO_BIG);
    expect(h.session.commands).toEqual([]);
  });

  it('OVERSIZED - rejects a source URI longer than the protocol allows, keeping the connection', async () => {
    const h = await harness();
    const o = await viewer(h, OPERATOR);
    o.send({ v: PROTOCOL_VERSION, type: 'setSource', id: 'long', source: 'x'.repeat(PROTOCOL_LIMITS.MAX_SOURCE_CHARS + 1) });
    expect(await o.waitForType('error')).toMatchObject({ id: 'long', code: 'bad_message' });
    expect(o.closed).toBeNull();
  });

  it('BINARY - closes a viewer that sends binary data (1003)', async () => {
    const h = await harness();
    const o = await viewer(h, OPERATOR);
    o.ws.send(Buffer.from([1, 2, 3]));
    const closed = await o.waitForClose();
    expect(closed.code).toBe(CLOSE_CODES.UNSUPPORTED_DATA);
  });

  it('runs operator commands, acks them and broadcasts the new status to every viewer', async () => {
    const h = await harness();
    const o = await viewer(h, OPERATOR);
    const v = await viewer(h, VIEWER);
    o.send({ v: PROTOCOL_VERSION, type: 'setTarget', target: 200, id: 't' });
    expect(await o.waitForType('ack')).toMatchObject({ id: 't', command: 'setTarget' });
    await v.waitFor(() => v.of('status').some((s) => s.target === 200), 'status target 200');
    o.send({ v: PROTOCOL_VERSION, type: 'start', id: 's' });
    await v.waitFor(() => v.of('status').some((s) => s.scan === 'running'), 'running');
    o.send({ v: PROTOCOL_VERSION, type: 'pause' });
    await v.waitFor(() => v.of('status').at(-1)?.scan === 'paused', 'paused');
    expect(h.session.commands.map((c) => c.type)).toEqual(['setTarget', 'start', 'pause']);
  });

  it('FAILED COMMAND - reports the session error to the operator', async () => {
    const h = await harness();
    const o = await viewer(h, OPERATOR);
    o.send({ v: PROTOCOL_VERSION, type: 'setSource', source: 'bad:camera', id: 'src' });
    expect(await o.waitForType('error')).toMatchObject({
      id: 'src',
      code: 'failed',
      message: 'setSource failed: cannot open source bad:camera',
    });
  });

  it('NO STORE - answers review and history with not_available when the session has no store', async () => {
    const h = await harness({ withHistory: false });
    const o = await viewer(h, OPERATOR);
    expect(o.of('hello')[0].features).toEqual({ review: false, history: false });
    o.send({ v: PROTOCOL_VERSION, type: 'listScans', id: 'l' });
    o.send({ v: PROTOCOL_VERSION, type: 'openScan', scanId: '1', id: 'o' });
    o.send({ v: PROTOCOL_VERSION, type: 'review', cellId: 'live:5', action: 'reject', id: 'r' });
    await o.waitForType('error', 3);
    expect(o.of('error').map((e) => [e.id, e.code])).toEqual([
      ['l', 'not_available'],
      ['o', 'not_available'],
      ['r', 'not_available'],
    ]);
    expect(o.of('error')[0].message).toBe('scan history is not available: this server has no scan store');
  });

  it('lists and opens scans for read-only viewers, and broadcasts reviews to everyone', async () => {
    const h = await harness({ withHistory: true });
    const o = await viewer(h, OPERATOR);
    const v = await viewer(h, VIEWER);
    v.send({ v: PROTOCOL_VERSION, type: 'listScans', id: 'l' });
    const scans = await v.waitForType('scans');
    expect(scans.scans.map((s) => s.scanId)).toEqual(['1']);
    v.send({ v: PROTOCOL_VERSION, type: 'openScan', scanId: '1', id: 'o' });
    expect((await v.waitForType('scan')).scan.summary.scanId).toBe('1');
    o.send({ v: PROTOCOL_VERSION, type: 'review', cellId: 'live:5', action: 'reclassify', newType: 'EOS', id: 'r' });
    expect(await o.waitForType('ack')).toMatchObject({ id: 'r', command: 'review' });
    const update = await v.waitForType('cellUpdated');
    expect(update).toMatchObject({ cellId: 'live:5', cellType: 'EOS', review: { action: 'reclassify', newType: 'EOS' } });
    expect(h.session.reviews[0]).toMatchObject({ cellId: 'live:5', action: 'reclassify', newType: 'EOS' });
  });
});

describe('stream server: connection hygiene', () => {
  it('DEAD PEER - terminates a viewer that stops answering pings', async () => {
    const h = await harness({ config: { heartbeatIntervalMs: 100 } });
    const alive = await viewer(h, VIEWER, true);
    const dead = await viewer(h, VIEWER, false);
    await dead.waitForClose(3000);
    expect(h.server.stats().terminatedDead).toBe(1);
    expect(alive.closed).toBeNull();
  });

  it('close() ends every viewer with 1001 and stops listening', async () => {
    const h = await harness({ autostart: true });
    const a = await viewer(h, VIEWER);
    const b = await viewer(h, OPERATOR);
    await h.server.close();
    expect((await a.waitForClose()).code).toBe(CLOSE_CODES.GOING_AWAY);
    expect((await b.waitForClose()).code).toBe(CLOSE_CODES.GOING_AWAY);
    expect(await upgradeStatus(h.ws(VIEWER))).toBe(0);
  });

  it('serves the page with a CSP and no referrer, refuses other methods and paths', async () => {
    const h = await harness();
    const base = `http://127.0.0.1:${h.server.address.port}`;
    const page = await fetch(`${base}/?token=${VIEWER}`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
    expect((await fetch(`${base}/app.js`)).headers.get('content-type')).toContain('javascript');
    expect((await fetch(`${base}/`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${base}/../../etc/passwd`)).status).toBe(404);
    expect(await (await fetch(`${base}/healthz`)).json()).toMatchObject({ ok: true, protocol: 1 });
  });
});
