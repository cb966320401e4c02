import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { capture } from '../../src/capture/capture.js';
import { resolveFfmpeg } from '../../src/capture/ffmpeg-binary.js';
import { ffmpegChildrenExited, runningFfmpegCount } from '../../src/capture/ffmpeg-frames.js';
import type { CaptureEvent } from '../../src/capture/health.js';
import { freePort, waitForPort } from './rtsp-server.js';

/**
 * A real RTSP server on loopback: rtsp-server-perl (Debian package, in .ci/apt-packages.txt),
 * fed by ffmpeg publishing a lavfi test pattern. The test kills both mid-stream and starts
 * them again; capture must report the outage and resume.
 */
const SERVER = '/usr/bin/rtsp-server-perl';

async function waitFor(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function stop(child: ChildProcess | undefined): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

describe('RTSP capture against a real server on loopback', () => {
  let clientPort = 0;
  let sourcePort = 0;
  let rtpPort = 0;
  let server: ChildProcess | undefined;
  let publisher: ChildProcess | undefined;

  async function startServerAndPublisher(): Promise<void> {
    // Not nice'd: Moose makes the server slow to start on a loaded machine.
    server = spawn(
      SERVER,
      ['--clientport', String(clientPort), '--serverport', String(sourcePort), '--client_listen_address', '127.0.0.1', '--source_listen_address', '127.0.0.1', '--rtp_start_port', String(rtpPort)],
      { stdio: 'ignore' },
    );
    await waitForPort(clientPort, 30_000);
    await waitForPort(sourcePort, 30_000);
    publisher = spawn(
      'nice',
      ['-n', '15', resolveFfmpeg().path, '-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=15', '-c:v', 'mpeg4', '-q:v', '5', '-g', '15', '-f', 'rtsp', `rtsp://127.0.0.1:${sourcePort}/cam`],
      { stdio: 'ignore' },
    );
  }

  beforeAll(async () => {
    try {
      execFileSync('test', ['-x', SERVER]);
    } catch {
      throw new Error(`${SERVER} is missing: apt-get install rtsp-server-perl (listed in .ci/apt-packages.txt)`);
    }
    clientPort = await freePort();
    sourcePort = await freePort();
    rtpPort = 10_000 + 2 * Math.floor(Math.random() * 4000); // UDP, below the TCP ports above
  });

  afterAll(async () => {
    await stop(publisher);
    await stop(server);
  });

  it('SERVER RESTART - reports the outage (stalled/reconnecting) and resumes when the server returns', async () => {
    await startServerAndPublisher();
    const events: CaptureEvent[] = [];
    const frames = () => events.filter((e) => e.kind === 'frame').length;
    const health = (type: string) => events.filter((e) => e.kind === 'health' && e.health.type === type);
    const sub = capture(`rtsp://127.0.0.1:${clientPort}/cam`, {
      width: 160,
      height: 120,
      fps: 10,
      stallTimeoutMs: 3_000,
      firstFrameTimeoutMs: 15_000,
      backoffInitialMs: 250,
      backoffMaxMs: 1_000,
      rtspTimeoutMs: 2_000,
    }).subscribe({ next: (e) => (process.env.RTSP_DEBUG && e.kind === "health" && e.health.type !== "fps" && console.log(JSON.stringify(e.health)), events.push(e)), error: (err) => events.push({ kind: 'health', health: { type: 'reconnecting', source: 'error', attempt: -1, delayMs: 0, reason: String(err), atMs: 0 } }) });
    try {
      await waitFor(() => frames() >= 10, 45_000, '10 frames from the RTSP server');
      expect(health('connected').length).toBeGreaterThanOrEqual(1);

      // Kill the server and its feed mid-stream.
      await stop(publisher);
      await stop(server);
      const framesAtOutage = frames();
      await waitFor(() => health('reconnecting').length >= 2, 20_000, 'reconnecting health events during the outage');
      const reasons = health('reconnecting').map((e) => (e.kind === 'health' && e.health.type === 'reconnecting' ? e.health.reason : ''));
      expect(reasons.some((r) => /refused|stalled|no frame|ended|timed out|not found|404|reset|ffmpeg failed/.test(r))).toBe(true);

      // Bring it back: capture reconnects and frames flow again.
      const connectedBefore = health('connected').length;
      await startServerAndPublisher();
      await waitFor(() => health('connected').length > connectedBefore && frames() >= framesAtOutage + 10, 45_000, 'frames after the server restart');
      const seqs = events.flatMap((e) => (e.kind === 'frame' ? [e.frame.seq] : []));
      // Sequence numbers keep increasing across the restart.
      for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]);
    } finally {
      sub.unsubscribe();
    }
    await ffmpegChildrenExited();
    expect(runningFfmpegCount()).toBe(0);
  }, 120_000);

  it('UNREACHABLE RTSP HOST - a closed port gives reconnecting events with "connection refused", no crash', async () => {
    const port = await freePort();
    const events: CaptureEvent[] = [];
    const sub = capture(`rtsp://127.0.0.1:${port}/cam`, { backoffInitialMs: 100, backoffMaxMs: 200, stallTimeoutMs: 20_000 }).subscribe((e) => events.push(e));
    await waitFor(() => events.filter((e) => e.kind === 'health' && e.health.type === 'reconnecting').length >= 2, 20_000, 'two reconnect attempts');
    sub.unsubscribe();
    const first = events.find((e) => e.kind === 'health' && e.health.type === 'reconnecting');
    expect(first?.kind === 'health' && first.health.type === 'reconnecting' && first.health.reason).toMatch(/connection refused/);
    await ffmpegChildrenExited();
  }, 60_000);
});
