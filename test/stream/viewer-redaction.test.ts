/**
 * Issue 25 item 2 (and the openScan path of item 6): what a read-only viewer receives from the REAL
 * PipelineScanSession and StreamServer, with the scripted pipeline (FAKE capture/detector) and a
 * real store. A camera password must not be in any message; the full URI still reaches the pipeline.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAuth } from '../../src/stream/auth.js';
import { PROTOCOL_VERSION } from '../../src/stream/protocol.js';
import { StreamServer } from '../../src/stream/server.js';
import { sessionOnStore } from './session-harness.js';
import { TestViewer } from './test-client.js';

const SECRET = 'Pa55word';
const SOURCE = `rtsp://admin:${SECRET}@10.1.2.3:554/stream1`;
const SHOWN = 'rtsp://admin:***@10.1.2.3:554/stream1';
const UI = { html: Buffer.from('<!doctype html><title>t</title>'), js: Buffer.from('//js'), css: Buffer.from('/*css*/') };
const OPERATOR = 'operator-token-0123456789';
const VIEWER = 'viewer-token-0123456789ab';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup() {
  const { pipeline, store, session } = sessionOnStore({ cleanups, source: SOURCE });
  const dir = store.file.replace(/\/[^/]+$/, '');
  const server = await StreamServer.create({ session, auth: createAuth({ operatorToken: OPERATOR, viewerToken: VIEWER }), ui: UI, config: { port: 0 } });
  cleanups.push(() => server.close());
  const { port } = server.address;
  const connect = async (token: string) => {
    const v = await TestViewer.connect(`ws://127.0.0.1:${port}/ws?token=${token}`);
    cleanups.push(() => v.close());
    await v.waitForType('hello');
    return v;
  };
  return { pipeline, store, session, server, connect, dir };
}

describe('CREDENTIALS - viewers never see the camera password', () => {
  it('status.source and health.source (uri and message), while the pipeline gets the full URI', async () => {
    const s = await setup();
    const v = await s.connect(VIEWER);
    await s.session.execute({ type: 'start' });
    expect(s.pipeline.sources).toEqual([SOURCE]);
    // The capture reports an outage and then fails, quoting the URL as ffmpeg does.
    s.pipeline.active!.next({ type: 'health', health: { type: 'reconnecting', source: SOURCE, attempt: 1, delayMs: 1000, reason: `${SOURCE}: Connection refused`, atMs: 0 } });
    await v.waitFor(() => v.of('health').some((h) => h.source.message !== null), 'a health message');
    s.pipeline.active!.error(new Error(`ffmpeg: ${SOURCE}: 401 Unauthorized`));
    await v.waitFor(() => v.of('status').at(-1)?.scan === 'stopped', 'stopped');
    expect(v.of('status').at(-1)!.source).toBe(SHOWN);
    expect(v.of('health').at(-1)!.source).toMatchObject({ uri: SHOWN, state: 'error', message: `ffmpeg: ${SHOWN}: 401 Unauthorized` });
    expect(JSON.stringify(v.messages)).not.toContain(SECRET);
  });

  it('listScans and openScan', async () => {
    const s = await setup();
    await s.session.execute({ type: 'start' });
    const v = await s.connect(VIEWER);
    v.send({ v: PROTOCOL_VERSION, type: 'listScans', id: 'l' });
    const scans = await v.waitForType('scans');
    expect(scans.scans[0].source).toBe(SHOWN);
    v.send({ v: PROTOCOL_VERSION, type: 'openScan', id: 'o', scanId: scans.scans[0].scanId });
    expect((await v.waitForType('scan')).scan.summary.source).toBe(SHOWN);
    expect(JSON.stringify(v.messages)).not.toContain(SECRET);
  });

  it('NO SUCH SCAN - openScan names the scan, not the database file', async () => {
    const s = await setup();
    const v = await s.connect(VIEWER);
    v.send({ v: PROTOCOL_VERSION, type: 'openScan', id: 'o', scanId: '99' });
    const error = await v.waitForType('error');
    expect(error.message).toBe('openScan failed: no scan #99');
    expect(error.message).not.toContain(s.dir);
  });

  it('acks a scan command with the state it left', async () => {
    const s = await setup();
    const o = await s.connect(OPERATOR);
    o.send({ v: PROTOCOL_VERSION, type: 'start', id: 's' });
    expect(await o.waitForType('ack')).toMatchObject({ id: 's', command: 'start', scan: 'running' });
    o.send({ v: PROTOCOL_VERSION, type: 'pause', id: 'p' });
    expect(await o.waitForType('ack', 2)).toMatchObject({ id: 'p', command: 'pause', scan: 'paused' });
  });
});
