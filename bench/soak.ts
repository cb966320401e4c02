/**
 * Soak: ingest a live source (default test:testsrc2, 640x480 at 30 fps, generated in real
 * time by ffmpeg) through the whole live pipeline (capture -> colour normalisation ->
 * detect latest on the real model) for --minutes, and report RSS (start/end/max, growth),
 * backlog (frames the source produced that have not arrived), fps and latency.
 *
 *   nice -n 15 npx tsx bench/soak.ts --minutes 10 [--source URI] [--size 640x480] [--fps 30]
 *       [--model models/leukoscan-lite.onnx | --no-detector] [--no-normalise] [--threads N] [--sample-s 10] [--json out.json]
 *
 * The detector gets cores - 1 intra-op threads by default, leaving a core to capture.
 *
 * Latency target: a frame's arrival -> its detections published is at most inference
 * time + 50 ms at p95 (reported as the p95 of latency minus detect time, per frame).
 */
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseSize } from '../src/capture/config.js';
import { ffmpegChildrenExited } from '../src/capture/ffmpeg-frames.js';
import { describeHealth } from '../src/capture/health.js';
import { emptyDetections } from '../src/core/detections.js';
import type { Frame } from '../src/core/frame.js';
import type { Detector } from '../src/detect/detector.js';
import { OnnxDetector } from '../src/detect/onnx-detector.js';
import { livePipeline } from '../src/pipeline/live-pipeline.js';
import { SampleWindow } from '../src/pipeline/metrics.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    minutes: { type: 'string', default: '10' },
    source: { type: 'string', default: 'test:testsrc2' },
    size: { type: 'string', default: '640x480' },
    fps: { type: 'string', default: '30' },
    model: { type: 'string', default: join(REPO, 'models/leukoscan-lite.onnx') },
    'no-detector': { type: 'boolean', default: false },
    'no-normalise': { type: 'boolean', default: false },
    'sample-s': { type: 'string', default: '10' },
    threads: { type: 'string' },
    json: { type: 'string' },
  },
});

const minutes = Number(args.minutes);
const fps = Number(args.fps);
const size = parseSize(args.size!);
const sampleMs = Number(args['sample-s']) * 1000;
if (!(minutes > 0) || !(fps > 0) || !(sampleMs > 0)) {
  process.stderr.write('bench/soak: --minutes, --fps and --sample-s must be positive numbers\n');
  process.exit(2);
}

// Without a model the soak still measures capture + normalisation; say so in the output.
let detector: Pick<Detector, 'detect' | 'card'> & { release?: () => Promise<void> };
let detectorName: string;
if (args['no-detector']) {
  const { loadModelCard, cardPathForModel } = await import('../src/detect/model-card-loader.js');
  const card = await loadModelCard(cardPathForModel(args.model!));
  detector = { card, detect: async (f: Frame) => emptyDetections(f.width, f.height, card.classes) };
  detectorName = 'none (capture + normalisation only)';
} else {
  const d = await OnnxDetector.create({ modelPath: args.model!, device: 'cpu', intraOpThreads: args.threads ? Number(args.threads) : Math.max(1, availableParallelism() - 1) });
  detector = d;
  detectorName = `${args.model} on ${d.provider.name}`;
}

interface Sample {
  tS: number;
  rssMB: number;
  heapMB: number;
  framesIn: number;
  expectedFrames: number;
  backlogFrames: number;
  fpsIn: number;
  fpsDetected: number;
  skipped: number;
  latencyP95Ms: number;
  overheadP95Ms: number;
  loopLagP99Ms: number;
  /** CPU time of the whole process (main thread, worker, ORT threads) per arrived frame. */
  cpuMsPerFrame: number;
}

const loop = monitorEventLoopDelay({ resolution: 10 });
loop.enable();
const latency = new SampleWindow(50_000);
const detectMs = new SampleWindow(50_000);
const overhead = new SampleWindow(50_000);
const samples: Sample[] = [];
let framesIn = 0;
let framesDetected = 0;
let skipped = 0;
let firstFrameAt = 0;
let windowIn = 0;
let windowDet = 0;
let windowLatency = new SampleWindow(4096);
let windowOverhead = new SampleWindow(4096);
const mb = (b: number) => b / 1024 / 1024;
let lastCpu = process.cpuUsage();
const start = Date.now();

process.stderr.write(`bench/soak: ${args.source} ${size.width}x${size.height} @ ${fps} fps for ${minutes} min; detector ${detectorName}\n`);

await new Promise<void>((resolveRun) => {
  const sub = livePipeline({ source: args.source!, detector, capture: { width: size.width, height: size.height, fps }, normalise: args['no-normalise'] ? false : {}, metrics: false }).subscribe({
    next: (e) => {
      if (e.type === 'frame') {
        if (framesIn === 0) firstFrameAt = Date.now();
        framesIn++;
        windowIn++;
        if (!e.sentToDetector) skipped++;
      } else if (e.type === 'detections') {
        framesDetected++;
        windowDet++;
        latency.add(e.timing.latencyMs);
        detectMs.add(e.timing.detectMs);
        overhead.add(e.timing.latencyMs - e.timing.detectMs);
        windowLatency.add(e.timing.latencyMs);
        windowOverhead.add(e.timing.latencyMs - e.timing.detectMs);
      } else if (e.type === 'health' && e.health.type !== 'fps') {
        process.stderr.write(`  health: ${describeHealth(e.health)}\n`);
      }
    },
    error: (err) => {
      process.stderr.write(`bench/soak: pipeline failed: ${err instanceof Error ? err.message : String(err)}\n`);
      clearInterval(timer);
      resolveRun();
    },
    complete: () => {
      clearInterval(timer);
      resolveRun();
    },
  });
  const timer = setInterval(() => {
    const now = Date.now();
    const mem = process.memoryUsage();
    // Frames the source has produced since its first frame, vs frames that arrived.
    const expected = firstFrameAt ? Math.floor(((now - firstFrameAt) / 1000) * fps) + 1 : 0;
    const cpu = process.cpuUsage(lastCpu);
    lastCpu = process.cpuUsage();
    const s: Sample = {
      tS: (now - start) / 1000,
      rssMB: mb(mem.rss),
      heapMB: mb(mem.heapUsed),
      framesIn,
      expectedFrames: expected,
      backlogFrames: expected - framesIn,
      fpsIn: (windowIn * 1000) / sampleMs,
      fpsDetected: (windowDet * 1000) / sampleMs,
      skipped,
      latencyP95Ms: windowLatency.percentile(95),
      overheadP95Ms: windowOverhead.percentile(95),
      loopLagP99Ms: loop.percentile(99) / 1e6,
      cpuMsPerFrame: windowIn > 0 ? (cpu.user + cpu.system) / 1000 / windowIn : Number.NaN,
    };
    samples.push(s);
    windowIn = 0;
    windowDet = 0;
    windowLatency = new SampleWindow(4096);
    windowOverhead = new SampleWindow(4096);
    loop.reset();
    process.stderr.write(
      `  t=${s.tS.toFixed(0).padStart(4)}s rss ${s.rssMB.toFixed(0)} MB heap ${s.heapMB.toFixed(0)} MB frames ${framesIn} backlog ${s.backlogFrames} fps in ${s.fpsIn.toFixed(1)} det ${s.fpsDetected.toFixed(1)} lat p95 ${s.latencyP95Ms.toFixed(0)} ms overhead p95 ${s.overheadP95Ms.toFixed(0)} ms loop lag p99 ${s.loopLagP99Ms.toFixed(0)} ms cpu ${s.cpuMsPerFrame.toFixed(1)} ms/frame\n`,
    );
    if (now - start >= minutes * 60_000) {
      clearInterval(timer);
      sub.unsubscribe();
      resolveRun();
    }
  }, sampleMs);
});

await ffmpegChildrenExited();
await detector.release?.();

const steady = samples.filter((s) => s.tS >= Math.min(60, (minutes * 60) / 4));
const first = steady[0] ?? samples[0];
const last = samples.at(-1);
if (!first || !last) {
  process.stderr.write('bench/soak: no samples (run shorter than --sample-s?)\n');
  process.exit(1);
}
// Least-squares slope of RSS over the steady part, MB per minute.
const slope = (() => {
  const xs = steady.map((s) => s.tS / 60);
  const ys = steady.map((s) => s.rssMB);
  const n = xs.length;
  if (n < 2) return Number.NaN;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    num += (xs[i] - mx) * (ys[i] - my);
    den += (xs[i] - mx) ** 2;
  }
  return den > 0 ? num / den : Number.NaN;
})();
const elapsedS = (Date.now() - start) / 1000;
const arrivedFps = firstFrameAt ? framesIn / ((last.tS * 1000 - (firstFrameAt - start)) / 1000) : 0;
const overheadP95 = overhead.percentile(95);
const summary = {
  source: args.source,
  size: `${size.width}x${size.height}`,
  fps,
  minutes: elapsedS / 60,
  detector: detectorName,
  rssMB: { start: first.rssMB, end: last.rssMB, max: Math.max(...samples.map((s) => s.rssMB)), growthMBPerMin: slope },
  backlogFrames: { start: first.backlogFrames, end: last.backlogFrames, max: Math.max(...samples.map((s) => s.backlogFrames)) },
  frames: { in: framesIn, detected: framesDetected, skipped, fpsIn: arrivedFps, fpsDetected: framesDetected / (elapsedS || 1) },
  latencyMs: { p50: latency.percentile(50), p95: latency.percentile(95), detectP50: detectMs.percentile(50), detectP95: detectMs.percentile(95), overheadP50: overhead.percentile(50), overheadP95 },
  loopLagP99MsMax: Math.max(...samples.map((s) => s.loopLagP99Ms)),
  cpuMsPerFrame: steady.reduce((a, s) => a + (Number.isFinite(s.cpuMsPerFrame) ? s.cpuMsPerFrame : 0), 0) / Math.max(1, steady.length),
  normalise: !args['no-normalise'],
  loadAverage: loadavg(),
  latencyTarget: { rule: 'p95(latency - detect time) <= 50 ms', met: overheadP95 <= 50 },
};
process.stdout.write(
  [
    `Soak: ${summary.source} ${summary.size} @ ${fps} fps for ${summary.minutes.toFixed(1)} min; detector ${detectorName}`,
    `RSS MB: start ${summary.rssMB.start.toFixed(0)} (at t=${first.tS.toFixed(0)} s), end ${summary.rssMB.end.toFixed(0)}, max ${summary.rssMB.max.toFixed(0)}, growth ${slope.toFixed(2)} MB/min`,
    `backlog (frames produced by the source not yet arrived): start ${summary.backlogFrames.start}, end ${summary.backlogFrames.end}, max ${summary.backlogFrames.max}`,
    `frames: in ${framesIn} (${summary.frames.fpsIn.toFixed(2)} fps), detected ${framesDetected} (${summary.frames.fpsDetected.toFixed(2)} fps), skipped ${skipped}`,
    `latency arrival->published ms: p50 ${summary.latencyMs.p50.toFixed(0)}, p95 ${summary.latencyMs.p95.toFixed(0)}; detect p50 ${summary.latencyMs.detectP50.toFixed(0)}, p95 ${summary.latencyMs.detectP95.toFixed(0)}; latency - detect: p50 ${summary.latencyMs.overheadP50.toFixed(0)}, p95 ${overheadP95.toFixed(0)}`,
    `target p95(latency - inference) <= 50 ms: ${summary.latencyTarget.met ? 'met' : 'NOT met'}; event-loop lag p99 max ${summary.loopLagP99MsMax.toFixed(0)} ms`,
    `process CPU ${summary.cpuMsPerFrame.toFixed(1)} ms per arrived frame (all threads); colour normalisation ${summary.normalise ? 'on' : 'off'}; load average at end ${summary.loadAverage.map((v) => v.toFixed(1)).join(' ')} on ${availableParallelism()} cores`,
    '',
  ].join('\n'),
);
if (args.json) await writeFile(args.json, JSON.stringify({ summary, samples }, null, 2));
