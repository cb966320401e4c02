/**
 * What makes up `leukoscan serve`'s RSS: the same parts serve starts, added one at a
 * time in one process, with the RSS (and V8 heap / external / array buffers) after each.
 *
 *   nice -n 5 npx tsx bench/serve-memory.ts [--model models/leukoscan-lite.onnx] [--run-s 20] [--viewers 10] [--no-sharp-cache]
 *   (and with MALLOC_ARENA_MAX=2 in the environment, to see what glibc's per-thread heaps cost;
 *   with NODE_OPTIONS=--expose-gc each row follows a full GC of the main thread)
 *
 * Steps: node + tsx; the detector (ORT session in its worker, the typer beside it);
 * a detection; the dashboard server (UI built by esbuild) on a sim: session; --run-s
 * seconds of scanning with --viewers viewers.
 */
import { parseArgs } from 'node:util';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { WebSocket } from 'ws';
import { OnnxDetector } from '../src/detect/onnx-detector.js';
import { livePipeline } from '../src/pipeline/live-pipeline.js';
import { resolveSlideData } from '../src/sim/bccd.js';
import { createAuth } from '../src/stream/auth.js';
import { PipelineScanSession } from '../src/app/pipeline-session.js';
import { StreamServer } from '../src/stream/server.js';
import { simulatedCapture } from '../src/sim/sim-source.js';
import { parseSimUri, validateServeSource } from '../src/stream/sources.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(REPO, 'models/leukoscan-lite.onnx') },
    'run-s': { type: 'string', default: '20' },
    viewers: { type: 'string', default: '10' },
    /** A/B: libvips' operation cache (sharp.cache) off. */
    'no-sharp-cache': { type: 'boolean', default: false },
  },
});
if (args['no-sharp-cache']) (await import('sharp')).default.cache(false);

const mb = (b: number) => (b / 2 ** 20).toFixed(0).padStart(6);
let last = process.memoryUsage.rss();
/** With node --expose-gc, each row is taken after a full GC (live memory, not what the GC has yet to collect). */
const gc = (globalThis as { gc?: () => void }).gc;
function row(step: string): void {
  gc?.();
  const m = process.memoryUsage();
  process.stdout.write(`${step.padEnd(52)} ${mb(m.rss)} ${mb(m.rss - last)} ${mb(m.heapUsed)} ${mb(m.external)} ${mb(m.arrayBuffers)}\n`);
  last = m.rss;
}

process.stdout.write(`${'step'.padEnd(52)} ${'RSS'.padStart(6)} ${'+RSS'.padStart(6)} ${'heap'.padStart(6)} ${'extern'.padStart(6)} ${'arrbuf'.padStart(6)}   (MB)\n`);
row('node + tsx + imports');
const detector = await OnnxDetector.create({ modelPath: args.model!, typerPath: join(dirname(args.model!), 'leukoscan-typer.onnx') });
row(`detector loaded (${detector.describe().slice(0, 30)})`);
const frame = { seq: 0, timestampMs: 0, width: 640, height: 480, rgb: new Uint8Array(640 * 480 * 3).fill(200) };
await detector.detect(frame);
row('one detection');
const slide = resolveSlideData();
const session = new PipelineScanSession({
  source: 'sim:fps=10,duration=3600',
  target: 100000,
  validateSource: validateServeSource,
  store: null,
  pipeline: (source) => livePipeline({ source, detector, events: simulatedCapture(parseSimUri(source), slide.root) }),
});
const auth = createAuth({});
const server = await StreamServer.create({ session, auth, config: { port: 0 } });
row('dashboard server (UI built), session idle');
await session.execute({ type: 'start' });
const sockets: WebSocket[] = [];
for (let i = 0; i < Number(args.viewers); i++) {
  sockets.push(new WebSocket(`ws://127.0.0.1:${server.address.port}/ws?token=${auth.viewerToken}`).on('message', () => {}));
}
const runS = Number(args['run-s']);
for (let t = 5; t <= runS; t += 5) {
  await new Promise((r) => setTimeout(r, 5000));
  row(`scanning sim: with ${args.viewers} viewers, ${t} s`);
}
for (const ws of sockets) ws.terminate();
await server.close();
await session.close();
await detector.release();
row('all released');
