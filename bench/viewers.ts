/**
 * Viewer load benchmark (`npm run bench:viewers`): one stream server fed by a
 * SCRIPTED scan session (BCCD frames replayed at a fixed rate: the "pipeline"),
 * N viewers in a separate process, S of them stalled (they complete the
 * WebSocket handshake, then never read their socket again).
 *
 * It measures, in the server process, the pipeline's frame rate without and
 * with the viewers, the event-loop delay, the server's RSS over time, what
 * the healthy viewers received, and what was held / dropped for the stalled
 * ones. A server that blocked on slow viewers would lower the pipeline fps;
 * one that buffered for them would grow RSS.
 *
 *   npx tsx bench/viewers.ts [--viewers 50] [--stalled 5] [--seconds 60] [--fps 15] [--baseline-seconds 10] [--json]
 *
 * The clients run as `tsx bench/viewers.ts --clients …` (a child of the benchmark).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { createAuth } from '../src/stream/auth.js';
import { StreamServer } from '../src/stream/server.js';
import { ScriptedScanSession, loadBccdFrames } from '../test/stream/scripted-session.js';
import { dataRoot } from '../src/sim/bccd.js';

/** BCCD fields to replay: LEUKOSCAN_DATA, else ../shared/data, else the demo slide (demo/) of a public clone. */
const DATA = dataRoot();
const MIB = 1024 * 1024;

export interface ViewerLoadOptions {
  viewers: number;
  stalled: number;
  seconds: number;
  baselineSeconds: number;
  fps: number;
  /** Heartbeat interval of the server; long by default so that stalled viewers stay stalled for the whole run. */
  heartbeatMs: number;
  log?: (line: string) => void;
}

export const VIEWER_LOAD_DEFAULTS: ViewerLoadOptions = {
  viewers: 50,
  stalled: 5,
  seconds: 60,
  baselineSeconds: 10,
  fps: 15,
  heartbeatMs: 120_000,
};

interface Sample {
  t: number;
  fps: number;
  rssMiB: number;
  heapMiB: number;
  loopP99Ms: number;
  loopMaxMs: number;
  /** CPU used by the server process over the last second, % of one core. */
  cpuPercent: number;
}

export interface ViewerLoadResult {
  options: Omit<ViewerLoadOptions, 'log'>;
  baseline: { pipelineFps: number; loopP99Ms: number; rssMiB: number; cpuPercent: number };
  /** The pipeline again with no viewer, after the load (a control for changes in the machine's own load). */
  after: { pipelineFps: number; rssMiB: number };
  load: {
    pipelineFps: number;
    pipelineFpsMin: number;
    loopP99Ms: number;
    loopMaxMs: number;
    cpuPercent: number;
    rssStartMiB: number;
    rssMaxMiB: number;
    rssEndMiB: number;
    /** RSS change over the second half of the load phase. */
    rssSecondHalfGrowthMiB: number;
    framesEncoded: number;
    framesSkippedEncoding: number;
  };
  healthy: { count: number; framesPerViewerMin: number; framesPerViewerMedian: number; fpsMedian: number };
  stalled: { count: number; stillConnected: number; maxPending: number; maxBufferedBytes: number; framesDropped: number; eventsDropped: number };
  samples: Sample[];
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM, and wait for the exit (at once if it has already exited). */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  await exited;
}

/** Runs the benchmark in this process (server) and a child (viewers). */
export async function runViewerLoad(options: ViewerLoadOptions): Promise<ViewerLoadResult> {
  const log = options.log ?? (() => {});
  const frames = await loadBccdFrames(DATA, 16);
  const session = new ScriptedScanSession({ frames, fps: options.fps, countEvery: 10, autostart: true, source: 'scripted:bench' });
  const auth = createAuth();
  const server = await StreamServer.create({
    session,
    auth,
    config: { maxViewers: options.viewers + 10, port: 0, heartbeatIntervalMs: options.heartbeatMs, maxStreamFps: options.fps, frameMaxWidth: 640 },
  });
  const loop = monitorEventLoopDelay({ resolution: 5 });
  loop.enable();
  const samples: Sample[] = [];
  let lastCpu = process.cpuUsage();
  let lastCpuAt = performance.now();
  const sample = (t: number) => {
    const cpu = process.cpuUsage(lastCpu);
    const now = performance.now();
    const cpuPercent = ((cpu.user + cpu.system) / 1000 / (now - lastCpuAt)) * 100;
    lastCpu = process.cpuUsage();
    lastCpuAt = now;
    const s: Sample = {
      cpuPercent,
      t,
      fps: session.producedFps(1000),
      rssMiB: process.memoryUsage.rss() / MIB,
      heapMiB: process.memoryUsage().heapUsed / MIB,
      loopP99Ms: loop.percentile(99) / 1e6,
      loopMaxMs: loop.max / 1e6,
    };
    loop.reset();
    samples.push(s);
    return s;
  };
  let child: ChildProcess | null = null;
  try {
    // Warm-up, then the baseline: the pipeline with no viewer.
    await sleep(2000);
    loop.reset();
    const baselineSamples: Sample[] = [];
    for (let i = 0; i < options.baselineSeconds; i++) {
      await sleep(1000);
      baselineSamples.push(sample(-options.baselineSeconds + i + 1));
    }
    const baseline = {
      pipelineFps: session.producedFps(options.baselineSeconds * 1000),
      loopP99Ms: median(baselineSamples.map((s) => s.loopP99Ms)),
      rssMiB: baselineSamples.at(-1)!.rssMiB,
      cpuPercent: median(baselineSamples.map((s) => s.cpuPercent)),
    };
    log(`baseline: pipeline ${baseline.pipelineFps.toFixed(2)} fps, loop p99 ${baseline.loopP99Ms.toFixed(1)} ms, RSS ${baseline.rssMiB.toFixed(0)} MiB`);

    // Load: the viewers connect in a child process.
    const url = `ws://127.0.0.1:${server.address.port}/ws?token=${encodeURIComponent(auth.viewerToken)}`;
    child = fork(fileURLToPath(import.meta.url), ['--clients', url, String(options.viewers - options.stalled), String(options.stalled)], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const ready = new Promise<void>((resolveReady, reject) => {
      child!.once('message', (m: { ready?: boolean }) => (m.ready ? resolveReady() : reject(new Error('clients failed'))));
      child!.once('exit', (code) => reject(new Error(`viewer clients exited (${code})`)));
    });
    await ready;
    const loadStart = performance.now();
    log(`load: ${options.viewers} viewers connected (${options.stalled} stalled) in the child; running ${options.seconds} s`);
    const loadSamples: Sample[] = [];
    for (let i = 0; i < options.seconds; i++) {
      await sleep(1000);
      const s = sample(i + 1);
      loadSamples.push(s);
      if ((i + 1) % 10 === 0) {
        const st = server.stats();
        log(`  t=${i + 1}s pipeline ${s.fps.toFixed(1)} fps, CPU ${s.cpuPercent.toFixed(0)}%, RSS ${s.rssMiB.toFixed(0)} MiB, loop p99 ${s.loopP99Ms.toFixed(1)} ms, viewers ${st.viewers}, frames dropped ${st.dropped.frame ?? 0}`);
      }
    }
    const loadSeconds = (performance.now() - loadStart) / 1000;
    const stats = server.stats();
    // Stalled viewers are the ones the server could not send to: most frames dropped.
    const byDrops = [...stats.perViewer].sort((a, b) => (b.dropped.frame ?? 0) - (a.dropped.frame ?? 0));
    const stalledStats = byDrops.slice(0, options.stalled);
    const clientReport = await new Promise<{ frames: number[] }>((resolveReport, reject) => {
      child!.once('message', (m: { frames?: number[] }) => (m.frames ? resolveReport({ frames: m.frames }) : reject(new Error('no report'))));
      child!.send({ report: true });
    });
    // Control: viewers gone, the pipeline alone again.
    await stopChild(child);
    const afterSeconds = Math.max(3, Math.min(options.baselineSeconds, 5));
    await sleep(afterSeconds * 1000);
    const after = { pipelineFps: session.producedFps(afterSeconds * 1000), rssMiB: process.memoryUsage.rss() / MIB };
    log(`after: pipeline ${after.pipelineFps.toFixed(2)} fps with no viewer, RSS ${after.rssMiB.toFixed(0)} MiB`);
    const half = Math.floor(loadSamples.length / 2);
    const result: ViewerLoadResult = {
      options: { viewers: options.viewers, stalled: options.stalled, seconds: options.seconds, baselineSeconds: options.baselineSeconds, fps: options.fps, heartbeatMs: options.heartbeatMs },
      baseline,
      after,
      load: {
        pipelineFps: median(loadSamples.map((s) => s.fps)),
        pipelineFpsMin: Math.min(...loadSamples.map((s) => s.fps)),
        loopP99Ms: median(loadSamples.map((s) => s.loopP99Ms)),
        loopMaxMs: Math.max(...loadSamples.map((s) => s.loopMaxMs)),
        cpuPercent: median(loadSamples.map((s) => s.cpuPercent)),
        rssStartMiB: loadSamples[0].rssMiB,
        rssMaxMiB: Math.max(...loadSamples.map((s) => s.rssMiB)),
        rssEndMiB: loadSamples.at(-1)!.rssMiB,
        rssSecondHalfGrowthMiB: loadSamples.at(-1)!.rssMiB - loadSamples[half].rssMiB,
        framesEncoded: stats.framesEncoded,
        framesSkippedEncoding: stats.framesSkipped,
      },
      healthy: {
        count: clientReport.frames.length,
        framesPerViewerMin: Math.min(...clientReport.frames),
        framesPerViewerMedian: median(clientReport.frames),
        fpsMedian: median(clientReport.frames) / loadSeconds,
      },
      stalled: {
        count: options.stalled,
        stillConnected: stalledStats.length,
        maxPending: Math.max(0, ...stalledStats.map((v) => v.pending)),
        maxBufferedBytes: Math.max(0, ...stalledStats.map((v) => v.bufferedAmount)),
        framesDropped: stalledStats.reduce((a, v) => a + (v.dropped.frame ?? 0), 0),
        eventsDropped: stalledStats.reduce((a, v) => a + (v.dropped.event ?? 0), 0),
      },
      samples,
    };
    return result;
  } finally {
    loop.disable();
    if (child !== null) await stopChild(child);
    await server.close();
    await session.close();
  }
}

export function formatViewerLoad(r: ViewerLoadResult): string {
  const f = (n: number, d = 1) => n.toFixed(d);
  return [
    `viewers: ${r.options.viewers} (${r.options.stalled} stalled), ${r.options.seconds} s, scripted pipeline at ${r.options.fps} fps`,
    `pipeline fps   baseline ${f(r.baseline.pipelineFps, 2)}   under load median ${f(r.load.pipelineFps, 2)} (min 1-s window ${f(r.load.pipelineFpsMin, 1)})   after ${f(r.after.pipelineFps, 2)}`,
    `event loop p99 baseline ${f(r.baseline.loopP99Ms)} ms   under load median ${f(r.load.loopP99Ms)} ms (max ${f(r.load.loopMaxMs)} ms)`,
    `server CPU     baseline ${f(r.baseline.cpuPercent, 0)}% of a core   under load median ${f(r.load.cpuPercent, 0)}%`,
    `server RSS     baseline ${f(r.baseline.rssMiB, 0)} MiB   load start ${f(r.load.rssStartMiB, 0)}   max ${f(r.load.rssMaxMiB, 0)}   end ${f(r.load.rssEndMiB, 0)} MiB   second-half growth ${f(r.load.rssSecondHalfGrowthMiB)} MiB`,
    `frames encoded ${r.load.framesEncoded} (skipped while encoding: ${r.load.framesSkippedEncoding})`,
    `healthy viewers ${r.healthy.count}: frames each min ${r.healthy.framesPerViewerMin}, median ${r.healthy.framesPerViewerMedian} (${f(r.healthy.fpsMedian)} fps)`,
    `stalled viewers ${r.stalled.count}: still connected ${r.stalled.stillConnected}, held per viewer <= ${r.stalled.maxPending} messages, socket buffer <= ${f(r.stalled.maxBufferedBytes / MIB, 2)} MiB, frames dropped ${r.stalled.framesDropped}, events dropped ${r.stalled.eventsDropped}`,
  ].join('\n');
}

// ---------------------------------------------------------------------------
// Client process
// ---------------------------------------------------------------------------

/** Opens a WebSocket by hand, then never reads again: the kernel buffers fill and the server sees a stalled viewer. */
function stalledViewer(url: string): Promise<Socket> {
  const u = new URL(url);
  return new Promise((resolveSocket, reject) => {
    const socket = connect(Number(u.port), u.hostname, () => {
      socket.write(
        `GET ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
    });
    socket.once('data', (chunk) => {
      if (!chunk.toString('latin1').startsWith('HTTP/1.1 101')) reject(new Error(`stalled viewer refused: ${chunk.toString('latin1').split('\r\n')[0]}`));
      socket.pause(); // never read again
      resolveSocket(socket);
    });
    socket.once('error', reject);
  });
}

async function runClients(url: string, healthy: number, stalled: number): Promise<void> {
  const frames = new Array<number>(healthy).fill(0);
  const sockets: WebSocket[] = [];
  const stalledSockets: Socket[] = [];
  for (let i = 0; i < healthy; i++) {
    const ws = new WebSocket(url);
    ws.binaryType = 'nodebuffer';
    ws.on('message', (_data, isBinary) => {
      if (isBinary) frames[i]++;
    });
    sockets.push(ws);
    await new Promise<void>((r, reject) => {
      ws.once('open', () => r());
      ws.once('error', reject);
    });
  }
  for (let i = 0; i < stalled; i++) stalledSockets.push(await stalledViewer(url));
  // Count from now on.
  frames.fill(0);
  process.send?.({ ready: true });
  process.on('message', (m: { report?: boolean }) => {
    if (m.report) {
      process.send?.({ frames });
      for (const ws of sockets) ws.terminate();
      for (const s of stalledSockets) s.destroy();
      setTimeout(() => process.exit(0), 100);
    }
  });
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--clients') {
    await runClients(argv[1], Number(argv[2]), Number(argv[3]));
    return;
  }
  const { values } = parseArgs({
    args: argv,
    options: {
      viewers: { type: 'string' },
      stalled: { type: 'string' },
      seconds: { type: 'string' },
      'baseline-seconds': { type: 'string' },
      fps: { type: 'string' },
      'heartbeat-ms': { type: 'string' },
      json: { type: 'boolean' },
    },
  });
  const num = (v: string | undefined, d: number) => (v === undefined ? d : Number(v));
  const options: ViewerLoadOptions = {
    viewers: num(values.viewers, VIEWER_LOAD_DEFAULTS.viewers),
    stalled: num(values.stalled, VIEWER_LOAD_DEFAULTS.stalled),
    seconds: num(values.seconds, VIEWER_LOAD_DEFAULTS.seconds),
    baselineSeconds: num(values['baseline-seconds'], VIEWER_LOAD_DEFAULTS.baselineSeconds),
    fps: num(values.fps, VIEWER_LOAD_DEFAULTS.fps),
    heartbeatMs: num(values['heartbeat-ms'], VIEWER_LOAD_DEFAULTS.heartbeatMs),
    log: (line) => process.stderr.write(`${line}\n`),
  };
  for (const [k, v] of Object.entries(options)) {
    if (typeof v === 'number' && (!Number.isFinite(v) || v < 0)) throw new Error(`bench:viewers: bad --${k} ${v}`);
  }
  if (options.stalled > options.viewers) throw new Error('bench:viewers: --stalled cannot exceed --viewers');
  const result = await runViewerLoad(options);
  process.stdout.write(values.json ? `${JSON.stringify(result)}\n` : `${formatViewerLoad(result)}\n`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((err: unknown) => {
    process.stderr.write(`bench:viewers: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  });
}
