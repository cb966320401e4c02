/**
 * Issue 25 item 6, end to end: a real RTSP publisher that restarts from the start of its video.
 * rtsp-server-perl on loopback, ffmpeg publishing a simulated scan (`leukoscan simulate`), the
 * app's `capture()` reading it, every frame through the real Registrar. After --restart-after s
 * the publisher is killed and started again from the start of the file; the server stays up.
 * Prints one line per discontinuity (and segment merge) and a JSON summary: did the restart rejoin
 * segment 0, at the jump or by a later merge of the maps?
 *
 *   node bin/leukoscan.js simulate --seed 2 --size 320x240 --fps 10 --duration 60 --out /tmp/rr
 *   npx tsx bench/publisher-restart.ts --video /tmp/rr/scan.mp4 [--restart-after 20] [--after 25]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { capture } from '../src/capture/capture.js';
import { resolveFfmpeg } from '../src/capture/ffmpeg-binary.js';
import { Registrar } from '../src/track/registration/registrar.js';
import { startsSegment, type RegisteredFrame } from '../src/track/types.js';
import { freePort, waitForPort } from '../test/capture/rtsp-server.js';

const SERVER = '/usr/bin/rtsp-server-perl';

function arg(name: string, fallback?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0 && process.argv[i + 1]) return process.argv[i + 1];
  if (fallback === undefined) throw new Error(`--${name} is required`);
  return fallback;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function kill(child: ChildProcess | undefined, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}

async function main(): Promise<void> {
  const video = arg('video');
  const restartAfterMs = Number(arg('restart-after', '20')) * 1000;
  const afterMs = Number(arg('after', '25')) * 1000;
  const [clientPort, sourcePort] = [await freePort(), await freePort()];
  const rtpPort = 10_000 + 2 * Math.floor(Math.random() * 4000);
  const server = spawn(SERVER, ['--clientport', String(clientPort), '--serverport', String(sourcePort), '--client_listen_address', '127.0.0.1', '--source_listen_address', '127.0.0.1', '--rtp_start_port', String(rtpPort)], { stdio: 'ignore' });
  await waitForPort(clientPort, 30_000);
  await waitForPort(sourcePort, 30_000);
  const publish = () =>
    spawn(resolveFfmpeg().path, ['-hide_banner', '-loglevel', 'error', '-nostdin', '-re', '-i', video, '-c:v', 'mpeg4', '-q:v', '4', '-g', '20', '-f', 'rtsp', `rtsp://127.0.0.1:${sourcePort}/cam`], { stdio: 'ignore' });
  let publisher = publish();
  await sleep(1500);

  const registrar = new Registrar();
  const frames: RegisteredFrame[] = [];
  const log: string[] = [];
  let restartSeq = -1;
  const t0 = Date.now();
  const sub = capture(`rtsp://127.0.0.1:${clientPort}/cam`, { width: 320, height: 240, fps: 10, stallTimeoutMs: 3000, backoffInitialMs: 250, backoffMaxMs: 1000, rtspTimeoutMs: 2000 }).subscribe((e) => {
    const at = ((Date.now() - t0) / 1000).toFixed(1);
    if (e.kind === 'health') {
      if (e.health.type !== 'fps') log.push(`${at} s health ${e.health.type}`);
      return;
    }
    const r = registrar.update({ ...e.frame, seq: frames.length });
    frames.push(r);
    if (r.motion === 'jump' || r.motion === 'start' || r.merged || (restartSeq >= 0 && frames.length - restartSeq <= 8)) {
      const merged = r.merged ? ` (segment ${r.merged.segment} merged in)` : '';
      log.push(`${at} s frame ${r.frame.seq}: ${r.motion}${r.revisit ? ' (revisit)' : ''} segment ${r.segment}${merged} pose (${r.pose.x.toFixed(0)}, ${r.pose.y.toFixed(0)}) sharp ${r.sharp} focus ${r.focus.toFixed(1)}`);
    }
  });
  await sleep(restartAfterMs);
  restartSeq = frames.length;
  log.push(`${((Date.now() - t0) / 1000).toFixed(1)} s publisher restarted from the start of ${video} (after frame ${restartSeq - 1})`);
  // SIGINT: ffmpeg ends the session (TEARDOWN), as a publisher that is stopped and started again does
  await kill(publisher, 'SIGINT');
  await sleep(500);
  publisher = publish();
  await sleep(afterMs);
  sub.unsubscribe();
  await kill(publisher);
  await kill(server);

  const after = frames.slice(restartSeq);
  const segmentsStarted = after.filter((f) => startsSegment(f)).map((f) => f.segment);
  const rejoin = after.find((f) => f.motion === 'jump' && f.revisit);
  for (const line of log) console.log(line);
  console.log(
    JSON.stringify({
      framesBefore: restartSeq,
      framesAfter: after.length,
      greyOrBlurredAfter: after.filter((f) => !f.sharp).length,
      segmentsStartedAfterRestart: segmentsStarted,
      rejoinedSegment: rejoin ? { seq: rejoin.frame.seq, segment: rejoin.segment, pose: { x: Math.round(rejoin.pose.x), y: Math.round(rejoin.pose.y) } } : null,
      merges: after.filter((f) => f.merged).map((f) => ({ seq: f.frame.seq, from: f.merged!.segment, into: f.segment })),
      lastSegment: frames.at(-1)?.segment ?? null,
    }),
  );
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
