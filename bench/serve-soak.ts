/**
 * Serve soak: `leukoscan serve` as a user runs it (a child process, the shipped model,
 * a sim: source) with 1 operator and --viewers read-only viewers connected over
 * WebSockets for --minutes. The operator connection receives the server's metrics every
 * 1 s interval (event-loop delay p50/p99/max of that interval, RSS) and the detector's
 * fps (health); every --sample-s a row gives the worst interval p99/max of the window and
 * the RSS from /healthz; the summary takes every interval of the run but the first --sample-s.
 *
 *   nice -n 5 npx tsx bench/serve-soak.ts --minutes 10 --viewers 10 [--source sim:fps=10,duration=3600]
 *       [--model models/leukoscan-lite.onnx] [--sample-s 5] [--json out.json] [--cpu-prof DIR]
 *       [--repo DIR] [--label TEXT]
 *
 * At the end it prints the host (CPU, cores, load average at the start and the end: the soak
 * shares the machine) and one markdown table row: loop delay p50 / p99 / max (the run-wide p99
 * over every 10 ms tick from /healthz's eventLoopDelaySinceStart, and the median and worst of the
 * 1 s intervals' p99), RSS start / end / max and its slope, detector fps. `--repo` runs serve
 * from another checkout (e.g. the code before a change, for a before/after in the same conditions).
 *
 * Targets (issue 24): loop delay p99 <= 20 ms, RSS <= 350 MB and flat, detector fps unchanged.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { cpus, hostname, loadavg, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket } from 'ws';
import { parseServerMessage } from '../src/stream/protocol.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    viewers: { type: 'string', default: '10' },
    source: { type: 'string', default: 'sim:fps=10,duration=36000' },
    model: { type: 'string', default: join(REPO, 'models/leukoscan-lite.onnx') },
    'sample-s': { type: 'string', default: '5' },
    'cpu-prof': { type: 'string' },
    json: { type: 'string' },
    repo: { type: 'string' },
    label: { type: 'string', default: 'run' },
  },
});
const SERVE_REPO = args.repo === undefined ? REPO : resolve(args.repo);
const minutes = Number(args.minutes);
const viewers = Number(args.viewers);
const sampleMs = Number(args['sample-s']) * 1000;
if (!(minutes > 0) || !Number.isInteger(viewers) || viewers < 0 || !(sampleMs > 0)) {
  process.stderr.write('bench/serve-soak: --minutes and --sample-s must be positive, --viewers a non-negative integer\n');
  process.exit(2);
}

interface Sample {
  tS: number;
  rssMB: number;
  loopP50Ms: number;
  loopP99Ms: number;
  loopMaxMs: number;
  detectFps: number;
  framesPerViewer: number;
  load1: number;
}

const home = mkdtempSync(join(tmpdir(), 'leukoscan-soak-'));
const nodeArgs = args['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', resolve(args['cpu-prof'])] : [];
const child = spawn(process.execPath, [...nodeArgs, 'bin/leukoscan.js', 'serve', '--port', '0', '--no-store', '--model', args.model!, '--source', args.source!], {
  cwd: SERVE_REPO,
  env: { ...process.env, LEUKOSCAN_HOME: home },
  stdio: ['ignore', 'pipe', 'pipe'],
});
let out = '';
child.stdout.on('data', (d: Buffer) => (out += d.toString()));
let errTail = '';
child.stderr.on('data', (d: Buffer) => (errTail = (errTail + d.toString()).slice(-4000)));
const started = Date.now();
while (!/viewer \(read-only\):\s+http/.test(out)) {
  if (child.exitCode !== null || Date.now() - started > 120_000) throw new Error(`serve did not start:\n${out}\n${errTail}`);
  await new Promise((r) => setTimeout(r, 100));
}
const urlOf = (label: RegExp) => new URL(label.exec(out)![1]);
const operatorUrl = urlOf(/operator \(full control\): (\S+)/);
const viewerUrl = urlOf(/viewer \(read-only\):\s+(\S+)/);
const base = `http://127.0.0.1:${operatorUrl.port}`;
const loadAtStart = loadavg();
const host = `${hostname()}: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} cores, node ${process.version}`;
process.stderr.write(`bench/serve-soak: ${args.source} with ${args.model}, 1 operator + ${viewers} viewers for ${minutes} min (serve pid ${child.pid}, from ${SERVE_REPO})\n`);

let detectFps = 0;
let frames = 0;
/** One entry per server metrics interval (1 s). */
const intervals: { atMs: number; p50Ms: number; p99Ms: number; maxMs: number }[] = [];
const sockets: WebSocket[] = [];
function connect(url: URL, operator: boolean): void {
  const ws = new WebSocket(`ws://127.0.0.1:${url.port}/ws?token=${url.searchParams.get('token')}`);
  ws.on('message', (data, isBinary) => {
    if (isBinary) {
      frames++;
      return;
    }
    if (!operator) return;
    const parsed = parseServerMessage(data.toString());
    if (!parsed.ok) return;
    if (parsed.message.type === 'health') detectFps = parsed.message.pipeline.detectFps;
    const d = parsed.message.type === 'metrics' ? parsed.message.eventLoopDelay : undefined;
    if (d !== undefined) intervals.push({ atMs: Date.now(), ...d });
  });
  sockets.push(ws);
}
connect(operatorUrl, true);
for (let i = 0; i < viewers; i++) connect(viewerUrl, false);

const samples: Sample[] = [];
const t0 = Date.now();
const end = t0 + minutes * 60_000;
let framesAtLast = 0;
const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
const median = (xs: number[]) => sorted(xs)[Math.floor(xs.length / 2)] ?? 0;
process.stdout.write('   t s  RSS MB  loop p50  loop p99  loop max  detect fps  frames/viewer/s  load 1m   (loop: ms, worst 1 s interval of the row)\n');
interface RunDelay {
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}
let runDelay: RunDelay | null = null;
while (Date.now() < end && child.exitCode === null) {
  await new Promise((r) => setTimeout(r, Math.min(sampleMs, end - Date.now())));
  const h = (await (await fetch(`${base}/healthz`)).json()) as { rssBytes: number; eventLoopDelaySinceStart?: RunDelay };
  runDelay = h.eventLoopDelaySinceStart ?? null;
  const window = intervals.filter((i) => i.atMs > Date.now() - sampleMs);
  const s: Sample = {
    tS: (Date.now() - t0) / 1000,
    rssMB: h.rssBytes / 2 ** 20,
    loopP50Ms: median(window.map((i) => i.p50Ms)),
    loopP99Ms: Math.max(0, ...window.map((i) => i.p99Ms)),
    loopMaxMs: Math.max(0, ...window.map((i) => i.maxMs)),
    detectFps,
    framesPerViewer: (frames - framesAtLast) / (viewers + 1) / (sampleMs / 1000),
    load1: loadavg()[0],
  };
  framesAtLast = frames;
  samples.push(s);
  process.stdout.write(
    `${s.tS.toFixed(0).padStart(6)}  ${s.rssMB.toFixed(0).padStart(6)}  ${s.loopP50Ms.toFixed(1).padStart(8)}  ${s.loopP99Ms.toFixed(1).padStart(8)}  ` +
      `${s.loopMaxMs.toFixed(1).padStart(8)}  ${s.detectFps.toFixed(2).padStart(10)}  ${s.framesPerViewer.toFixed(1).padStart(15)}  ${s.load1.toFixed(2).padStart(7)}\n`,
  );
}
const loadAtEnd = loadavg();
for (const ws of sockets) ws.terminate();
child.kill('SIGTERM');
await new Promise((r) => child.once('exit', r));
rmSync(home, { recursive: true, force: true });

// The first row includes start-up (the first frames, viewers connecting): the summary leaves it out when there are others.
const steady = samples.length > 1 ? samples.slice(1) : samples;
const steadyIntervals = intervals.filter((i) => i.atMs > t0 + sampleMs);
const summary = {
  minutes,
  viewers,
  source: args.source,
  samples: samples.length,
  intervals: steadyIntervals.length,
  loopP99MedianMs: median(steadyIntervals.map((i) => i.p99Ms)),
  loopP99WorstMs: Math.max(0, ...steadyIntervals.map((i) => i.p99Ms)),
  loopMaxWorstMs: Math.max(0, ...steadyIntervals.map((i) => i.maxMs)),
  rssStartMB: steady[0]?.rssMB ?? 0,
  rssEndMB: steady.at(-1)?.rssMB ?? 0,
  rssMaxMB: Math.max(...steady.map((s) => s.rssMB)),
  detectFpsMedian: median(steady.map((s) => s.detectFps)),
  loopP50MedianMs: median(steadyIntervals.map((i) => i.p50Ms)),
  /** Every tick from the server's start to the end (start-up included), or null from a server without it. */
  loopRun: runDelay,
  rssSlopeMBPerMin: slope(steady.map((s) => [s.tS / 60, s.rssMB])),
  framesPerViewerMedian: median(steady.map((s) => s.framesPerViewer)),
  host,
  loadAtStart,
  loadAtEnd,
  mallocArenaMax: process.env.MALLOC_ARENA_MAX ?? null,
};

/** Least-squares slope of y over x (0 with fewer than 2 points). */
function slope(points: readonly (readonly [number, number])[]): number {
  if (points.length < 2) return 0;
  const mx = points.reduce((a, p) => a + p[0], 0) / points.length;
  const my = points.reduce((a, p) => a + p[1], 0) / points.length;
  const sxy = points.reduce((a, p) => a + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((a, p) => a + (p[0] - mx) ** 2, 0);
  return sxx === 0 ? 0 : sxy / sxx;
}
process.stdout.write(
  `\nloop delay p99 over ${summary.intervals} 1 s intervals: median ${summary.loopP99MedianMs.toFixed(1)} ms, worst ${summary.loopP99WorstMs.toFixed(1)} ms (max ${summary.loopMaxWorstMs.toFixed(1)} ms); ` +
    `RSS ${summary.rssStartMB.toFixed(0)} -> ${summary.rssEndMB.toFixed(0)} MB (max ${summary.rssMaxMB.toFixed(0)}); detect fps median ${summary.detectFpsMedian.toFixed(2)}\n`,
);
const f1 = (x: number) => x.toFixed(1);
const loads = (l: number[]) => l.map((x) => x.toFixed(2)).join(' ');
process.stdout.write(
  `\nhost ${host}; load average ${loads(loadAtStart)} at the start, ${loads(loadAtEnd)} at the end; MALLOC_ARENA_MAX=${summary.mallocArenaMax ?? 'unset'}\n\n` +
    '| run | min | viewers | load 1 min start → end | loop p50 | loop p99 run-wide (start-up incl.) | loop p99 per 1 s: median / worst | loop max | RSS start → end (max) MB | RSS slope MB/min | detect fps | frames/viewer/s |\n' +
    '|---|---|---|---|---|---|---|---|---|---|---|---|\n' +
    `| ${args.label} | ${minutes} | ${viewers} | ${loadAtStart[0].toFixed(2)} → ${loadAtEnd[0].toFixed(2)} | ${f1(summary.loopP50MedianMs)} | ${runDelay === null ? 'n/a' : f1(runDelay.p99Ms)} | ` +
    `${f1(summary.loopP99MedianMs)} / ${f1(summary.loopP99WorstMs)} | ${f1(summary.loopMaxWorstMs)} | ` +
    `${summary.rssStartMB.toFixed(0)} → ${summary.rssEndMB.toFixed(0)} (${summary.rssMaxMB.toFixed(0)}) | ${summary.rssSlopeMBPerMin.toFixed(1)} | ${summary.detectFpsMedian.toFixed(2)} | ${f1(summary.framesPerViewerMedian)} |\n`,
);
if (args.json) await writeFile(args.json, JSON.stringify({ summary, samples }, null, 2) + '\n');
