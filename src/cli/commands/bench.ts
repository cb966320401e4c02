import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { basename, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Command } from 'commander';
import type { Frame } from '../../core/frame.js';
import { EXIT } from '../exit-codes.js';
import { noTyperOption, typerOption, typerPathOption } from '../typer-option.js';
import { type BenchRow, describeHost, formatBenchTable, percentile } from '../bench-stats.js';
import type { DeviceChoice } from '../../detect/detector.js';
import { decodeImageFile } from '../../detect/image-decode.js';
import { cardPathForModel } from '../../detect/model-card-loader.js';
import { OnnxDetector } from '../../detect/onnx-detector.js';
import { progressBar } from '../progress.js';
import { DEMO_DATA_ROOT } from '../../sim/bccd.js';
import { ensureTorchWeights, REPO_ROOT } from '../torch-weights.js';
import { deviceOption, parsePositiveInt } from '../detector-options.js';

/** Defaults of `leukoscan bench`, in one place. */
export const BENCH_DEFAULTS = {
  modelsDir: 'models',
  threads: '1,2',
  iters: 50,
  warmup: 5,
  frameWidth: 640,
  frameHeight: 480,
  /** A 640x480 BCCD field, relative to the data folder. */
  frameImage: 'bccd/JPEGImages/BloodImage_00000.jpg',
  /** The same kind of field in the demo slide (demo/), for a machine with no data folder. */
  demoFrameImage: 'bccd/JPEGImages/BloodImage_00007.jpg',
  python: '/usr/bin/python3',
  torchTimeoutMs: 600_000,
} as const;

export interface BenchCommandOptions {
  typer?: string | boolean;
  model?: string[];
  modelsDir: string;
  threads: string;
  iters: number;
  warmup: number;
  int8?: boolean;
  torch: boolean;
  torchCheckpoint?: string;
  device: DeviceChoice;
  frame?: string;
  json?: string;
  paper?: boolean;
}

export function register(program: Command): void {
  program
    .command('bench')
    .description('Time pre-processing + inference + post-processing per 640x480 frame for each model and thread count, beside PyTorch eager')
    .option('--model <file...>', 'models to time (default: every models/*.onnx)')
    .option('--models-dir <dir>', 'where to look for models', BENCH_DEFAULTS.modelsDir)
    .option('--threads <list>', 'comma-separated intra-op thread counts', BENCH_DEFAULTS.threads)
    .option('--iters <n>', 'timed frames per configuration', parsePositiveInt, BENCH_DEFAULTS.iters)
    .option('--warmup <n>', 'untimed frames first', parsePositiveInt, BENCH_DEFAULTS.warmup)
    .option('--int8', 'also time models/*.int8.onnx where they exist')
    .addOption(typerOption())
    .addOption(noTyperOption())
    .option('--no-torch', 'skip the PyTorch eager comparison')
    .option('--torch-checkpoint <file>', 'PyTorch weights for the comparison (passed to training.bench_torch --checkpoint; default: ~/.cache/leukoscan/models/<name>-<sha256 prefix>.pt, recovered from the ONNX file on first use)')
    .addOption(deviceOption().default('cpu'))
    .option('--frame <image>', 'image to use as the frame, resized to 640x480 (default: a BCCD field from the data folder, else noise)')
    .option('--json <file>', 'also write the rows as JSON')
    .option('--paper', "also time the paper's MFDS-DETR size (ResNet-50, d_model 256, 6+6 layers, 640x480; random weights) in PyTorch eager, per thread count")
    .addHelpText(
      'after',
      '\nPyTorch eager comes from `/usr/bin/python3 -m training.bench_torch --model <name> --threads N --iters K` (last stdout line: {"ms_p50", "ms_p95"}); n/a where that is not available.\n' +
        'Its weights are recovered once from the ONNX file (`training.recover_onnx`) into ~/.cache/leukoscan/models/; without Debian\'s python3-torch the note names the package.\n' +
        'Exit codes: 0 measured; 66 no models found; 1 a model could not be loaded.',
    )
    .action(async (opts: BenchCommandOptions) => {
      process.exitCode = await runBench(opts);
    });
}

function say(line: string): void {
  process.stderr.write(`leukoscan bench: ${line}\n`);
}

async function benchFrame(opts: BenchCommandOptions): Promise<{ frame: Frame; source: string }> {
  const W = BENCH_DEFAULTS.frameWidth;
  const H = BENCH_DEFAULTS.frameHeight;
  const dataRoot = process.env.LEUKOSCAN_DATA ?? join(process.cwd(), '..', 'shared', 'data');
  const demo = join(DEMO_DATA_ROOT, BENCH_DEFAULTS.demoFrameImage);
  const full = join(dataRoot, BENCH_DEFAULTS.frameImage);
  const file = opts.frame ?? (existsSync(full) || !existsSync(demo) ? full : demo);
  if (existsSync(file)) {
    const f = await decodeImageFile(file);
    if (f.width === W && f.height === H) return { frame: f, source: file };
    const sharp = (await import('sharp')).default;
    const buf = await sharp(Buffer.from(f.rgb), { raw: { width: f.width, height: f.height, channels: 3 } }).resize(W, H, { fit: 'fill' }).raw().toBuffer();
    return { frame: { ...f, width: W, height: H, rgb: new Uint8Array(buf) }, source: `${file} resized to ${W}x${H}` };
  }
  if (opts.frame) throw new Error(`Image ${file}: not found`);
  const rgb = new Uint8Array(W * H * 3);
  let s = 12345;
  for (let i = 0; i < rgb.length; i++) rgb[i] = (s = (s * 1103515245 + 12345) >>> 0) >>> 24;
  return { frame: { seq: 0, timestampMs: 0, width: W, height: H, rgb }, source: `noise (no ${file})` };
}

async function findModels(opts: BenchCommandOptions): Promise<string[]> {
  if (opts.model && opts.model.length > 0) return opts.model;
  let names: string[] = [];
  try {
    names = await readdir(opts.modelsDir);
  } catch {
    return [];
  }
  const detectors: string[] = [];
  for (const n of names.filter((f) => f.endsWith('.onnx') && (opts.int8 || !f.endsWith('.int8.onnx'))).sort()) {
    if (!(await isTyperModel(join(opts.modelsDir, n)))) detectors.push(join(opts.modelsDir, n));
  }
  return detectors;
}

/** A crop model (its card's kind is the typer's), not a detector: not timed as one. */
async function isTyperModel(model: string): Promise<boolean> {
  try {
    const card = JSON.parse(await readFile(cardPathForModel(model), 'utf8')) as { kind?: unknown };
    return card.kind === 'leukocyte-typer';
  } catch {
    return false; // no readable card: OnnxDetector.create reports it
  }
}

/**
 * The weights the PyTorch row times: --torch-checkpoint, else the cached ones,
 * recovered from the ONNX file on first use (torch-weights.ts). Once per model.
 */
async function torchCheckpoint(model: string, opts: BenchCommandOptions): Promise<{ path?: string; note?: string }> {
  if (opts.torchCheckpoint) return { path: opts.torchCheckpoint };
  if (model.endsWith('.int8.onnx')) return { note: 'int8 has no PyTorch counterpart' };
  const weights = await ensureTorchWeights({ model, python: BENCH_DEFAULTS.python, say });
  if ('note' in weights) return { note: weights.note };
  if (weights.recovered) say(`recovered ${weights.path}`);
  return { path: weights.path };
}

/** PyTorch eager timing of the same weights, from training/bench_torch.py; undefined with a reason when unavailable. */
function torchTiming(model: string, threads: number, iters: number, checkpoint: { path?: string; note?: string }): { msP50?: number; note?: string } {
  const name = basename(model).replace(/(\.int8)?\.onnx$/, '');
  if (model.endsWith('.int8.onnx')) return { note: 'int8 has no PyTorch counterpart' };
  if (checkpoint.path === undefined) return { note: checkpoint.note ?? 'no PyTorch weights' };
  return runBenchTorch(['--model', name, '--threads', String(threads), '--iters', String(iters), '--checkpoint', checkpoint.path]);
}

/** `/usr/bin/python3 -m training.bench_torch ARGS` -> its {"ms_p50"} line, or why there is none. */
function runBenchTorch(extra: string[]): { msP50?: number; note?: string } {
  if (!existsSync(join(REPO_ROOT, 'training', 'bench_torch.py'))) return { note: 'training/bench_torch.py not present' };
  const args = ['-m', 'training.bench_torch', ...extra];
  const res = spawnSync(BENCH_DEFAULTS.python, args, {
    cwd: REPO_ROOT,
    encoding: 'utf8',
    timeout: BENCH_DEFAULTS.torchTimeoutMs,
  });
  if (res.status !== 0) return { note: `training.bench_torch failed: ${(res.stderr || res.error?.message || '').trim().split('\n').pop()}` };
  try {
    const last = res.stdout.trim().split('\n').pop() ?? '';
    const j = JSON.parse(last) as { ms_p50?: unknown };
    if (typeof j.ms_p50 !== 'number') throw new Error('no ms_p50');
    return { msP50: j.ms_p50 };
  } catch (err) {
    return { note: `training.bench_torch printed no {"ms_p50": ...} line (${(err as Error).message})` };
  }
}

export async function runBench(opts: BenchCommandOptions): Promise<number> {
  const threads = opts.threads.split(',').map((s) => Number(s.trim()));
  if (threads.some((t) => !Number.isInteger(t) || t <= 0)) {
    say(`--threads must be a comma-separated list of positive integers, got '${opts.threads}'`);
    return EXIT.USAGE;
  }
  const models = await findModels(opts);
  if (models.length === 0) {
    say(`no models to time (looked for ${opts.modelsDir}/*.onnx)`);
    return EXIT.NO_INPUT;
  }
  if (opts.int8 && !models.some((m) => m.endsWith('.int8.onnx'))) say(`--int8: no ${opts.modelsDir}/*.int8.onnx found; timing float models only`);
  const { frame, source } = await benchFrame(opts);
  const host = describeHost(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''), availableParallelism());
  process.stdout.write(`host: ${host}\n`);
  const rows: BenchRow[] = [];
  const notes = new Set<string>();
  let status: number = EXIT.OK;
  for (const model of models) {
    let checkpoint: { path?: string; note?: string } | null = null;
    for (const t of threads) {
      let detector: OnnxDetector;
      try {
        detector = await OnnxDetector.create({ modelPath: model, precision: 'float', device: opts.device, intraOpThreads: t, interOpThreads: 1, typerPath: typerPathOption(opts.typer, model) });
      } catch (err) {
        say((err as Error).message);
        status = EXIT.FAILURE;
        break;
      }
      const ms: number[] = [];
      const stages = { pre: 0, infer: 0, post: 0, type: 0 };
      let peakRss = process.memoryUsage.rss();
      const progress = progressBar(opts.warmup + opts.iters, `${basename(model)} x${t}`);
      let cpuStart = process.cpuUsage();
      try {
        for (let i = 0; i < opts.warmup + opts.iters; i++) {
          if (i === opts.warmup) cpuStart = process.cpuUsage();
          const t0 = performance.now();
          const r = await detector.detectTimed(frame);
          const dt = performance.now() - t0;
          peakRss = Math.max(peakRss, process.memoryUsage.rss());
          if (i >= opts.warmup) {
            ms.push(dt);
            stages.pre += r.timings.preMs;
            stages.infer += r.timings.inferMs;
            stages.post += r.timings.postMs;
            stages.type += r.timings.typeMs;
          }
          progress.tick();
        }
      } finally {
        progress.stop();
        await detector.release();
      }
      const cpu = process.cpuUsage(cpuStart);
      const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
      if (opts.torch) checkpoint ??= await torchCheckpoint(model, opts);
      const torch = checkpoint !== null ? torchTiming(model, t, opts.iters, checkpoint) : { note: 'skipped (--no-torch)' };
      if (torch.note) notes.add(`torch: ${torch.note}`);
      rows.push({
        model: basename(model),
        input: `${detector.card.input.width}x${detector.card.input.height}`,
        threads: t,
        provider: detector.provider.name,
        msP50: percentile(ms, 50),
        msP95: percentile(ms, 95),
        framesPerSecond: 1000 / mean,
        peakRssMb: peakRss / 2 ** 20,
        cpuMsPerFrame: (cpu.user + cpu.system) / 1000 / ms.length,
        preMs: stages.pre / ms.length,
        inferMs: stages.infer / ms.length,
        postMs: stages.post / ms.length,
        typeMs: stages.type / ms.length,
        torchMsP50: torch.msP50,
        torchNote: torch.note,
      });
    }
  }
  if (opts.paper) {
    for (const t of threads) {
      // random weights: the speed of the paper's network, not its accuracy; few frames (seconds each)
      const paper = runBenchTorch(['--config', 'paper', '--threads', String(t), '--iters', '3', '--warmup', '1']);
      if (paper.note) notes.add(`paper: ${paper.note}`);
      rows.push(paperRow(t, paper.msP50));
    }
  }
  if (rows.length > 0) {
    process.stdout.write(formatBenchTable(rows) + '\n');
    process.stdout.write(
      `\nframe: ${source}; ${opts.iters} timed frames after ${opts.warmup} warm-up; provider ${rows[0].provider}; ` +
        'ms = wall time of detect() (pre-processing + inference + post-processing in the worker, plus the hand-off).\n' +
        'cpu ms/frame = process CPU time (all threads) per frame; wall times suffer from other load on the machine, CPU time less so.\n' +
        'peak RSS is of the whole process while that configuration ran.\n' +
        (opts.paper ? "paper (PyTorch eager) = the paper's MFDS-DETR size with random weights, `training.bench_torch --config paper`, 3 frames.\n" : ''),
    );
    for (const n of notes) process.stdout.write(`${n}\n`);
  }
  if (opts.json) await writeFile(opts.json, JSON.stringify(rows, null, 2) + '\n');
  return status;
}

/** The `--paper` row: PyTorch eager only (no ONNX file, no stage times). */
function paperRow(threads: number, msP50: number | undefined): BenchRow {
  return {
    model: 'paper MFDS-DETR r50 (PyTorch eager, random weights)',
    input: '640x480',
    threads,
    provider: 'torch',
    msP50: msP50 ?? NaN,
    msP95: NaN,
    framesPerSecond: msP50 === undefined ? NaN : 1000 / msP50,
    peakRssMb: NaN,
    cpuMsPerFrame: NaN,
    preMs: NaN,
    inferMs: NaN,
    postMs: NaN,
    typeMs: NaN,
  };
}
