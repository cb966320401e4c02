import { availableParallelism } from 'node:os';
import type { Command } from 'commander';
import { type Subscription, firstValueFrom, race, timer } from 'rxjs';
import { DEFAULT_CAPTURE_CONFIG, parseSize } from '../../capture/config.js';
import { CaptureError } from '../../capture/errors.js';
import { ffmpegChildrenExited } from '../../capture/ffmpeg-frames.js';
import { describeHealth, type HealthEvent } from '../../capture/health.js';
import { type SourceSpec, SourceUriError, parseSourceUri } from '../../capture/source-uri.js';
import type { DetectionsXyxyPixels } from '../../core/detections.js';
import type { DeviceChoice } from '../../detect/detector.js';
import { DETECT_DEFAULTS } from '../../detect/config.js';
import { OnnxDetector } from '../../detect/onnx-detector.js';
import type { Precision } from '../../detect/precision.js';
import { livePipeline } from '../../pipeline/live-pipeline.js';
import type { MetricsSnapshot } from '../../pipeline/metrics.js';
import { statusLine, statusLines } from '../status-lines.js';
import { EXIT } from '../exit-codes.js';
import { noTyperOption, typerOption, typerPathOption } from '../typer-option.js';
import { precisionOption } from '../detector-options.js';
import { calibrationSummary } from '../../detect/calibration-summary.js';
import { type CalibrationFlags, LIVE_SOURCE, calibratedDetector, calibrationOptions, describeCalibration, preflightProfile } from '../calibration-options.js';

interface RunFlags extends CalibrationFlags {
  typer?: string | boolean;
  source: string;
  model: string;
  device: string;
  precision?: Precision;
  fps: string;
  size: string;
  normalise: boolean;
  realtime: boolean;
  seconds?: string;
  frames?: string;
  threads?: string;
  json?: boolean;
}

function usage(message: string): never {
  process.stderr.write(`leukoscan run: ${message}\n`);
  process.exitCode = EXIT.USAGE;
  throw Object.assign(new Error(message), { handled: true });
}

export function register(program: Command): void {
  const cmd = program
    .command('run')
    .description('Live detection from a camera, RTSP stream, file or test pattern, with live stats; Ctrl-C stops')
    .requiredOption('--source <uri>', 'file path, rtsp://host/path, v4l2:///dev/video0 or test:testsrc2')
    .option('--model <path>', 'ONNX model (its card is the .json beside it)', DETECT_DEFAULTS.modelPath)
    .addOption(typerOption())
    .addOption(noTyperOption())
    .option('--device <device>', 'auto | cpu | cuda', DETECT_DEFAULTS.device)
    .addOption(precisionOption())
    .option('--fps <n>', 'frames per second taken from the source', String(DEFAULT_CAPTURE_CONFIG.fps))
    .option('--size <WxH>', 'frame size the source is scaled to', `${DEFAULT_CAPTURE_CONFIG.width}x${DEFAULT_CAPTURE_CONFIG.height}`)
    .option('--no-normalise', 'turn colour normalisation off')
    .option('--no-realtime', 'read files as fast as possible instead of at their frame rate')
    .option('--seconds <n>', 'stop after this many seconds')
    .option('--frames <n>', 'stop after this many frames')
    .option('--threads <n>', 'detector intra-op threads (default: cores - 1, leaving a core to capture)')
    .option('--json', 'print metrics and health as JSON lines');
  for (const o of calibrationOptions()) cmd.addOption(o);
  cmd.action(async (flags: RunFlags) => {
      try {
        await runCommand(flags);
      } catch (err) {
        if ((err as { handled?: boolean }).handled) return;
        throw err;
      }
    });
}

async function runCommand(flags: RunFlags): Promise<void> {
  let spec: SourceSpec;
  try {
    spec = parseSourceUri(flags.source);
  } catch (err) {
    if (err instanceof SourceUriError) usage(err.message);
    throw err;
  }
  let size: { width: number; height: number };
  try {
    size = parseSize(flags.size);
  } catch (err) {
    usage((err as Error).message);
  }
  const fps = Number(flags.fps);
  if (!Number.isFinite(fps) || fps <= 0 || fps > 240) usage(`bad --fps '${flags.fps}': expected a number in (0, 240]`);
  if (!['auto', 'cpu', 'cuda'].includes(flags.device)) usage(`bad --device '${flags.device}': expected auto, cpu or cuda`);
  const seconds = flags.seconds === undefined ? undefined : Number(flags.seconds);
  if (seconds !== undefined && (!Number.isFinite(seconds) || seconds <= 0)) usage(`bad --seconds '${flags.seconds}'`);
  const maxFrames = flags.frames === undefined ? undefined : Number(flags.frames);
  if (maxFrames !== undefined && (!Number.isInteger(maxFrames) || maxFrames <= 0)) usage(`bad --frames '${flags.frames}'`);
  let framesSeen = 0;
  const threads = flags.threads === undefined ? Math.max(1, availableParallelism() - 1) : Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1) usage(`bad --threads '${flags.threads}'`);

  const pre = await preflightProfile(flags, (line) => process.stderr.write(`leukoscan run: ${line}\n`));
  if ('exitCode' in pre) {
    process.exitCode = pre.exitCode;
    return;
  }

  let onnx: OnnxDetector;
  try {
    onnx = await OnnxDetector.create({ modelPath: flags.model, typerPath: typerPathOption(flags.typer, flags.model), device: flags.device as DeviceChoice, precision: flags.precision, intraOpThreads: threads });
  } catch (err) {
    process.stderr.write(`leukoscan run: ${(err as Error).message}\n`);
    process.exitCode = /not found/.test((err as Error).message) ? EXIT.NO_INPUT : EXIT.FAILURE;
    return;
  }
  process.stderr.write(`leukoscan run: model ${onnx.describe()}\n`);
  const detector = await calibratedDetector(onnx, flags, LIVE_SOURCE);
  process.stderr.write(`leukoscan run: ${describeCalibration(detector.calibration, flags)}\n`);

  const tty = process.stderr.isTTY === true && !flags.json;
  let metrics: MetricsSnapshot | null = null;
  let health: HealthEvent | null = null;
  let lastDetections: DetectionsXyxyPixels | null = null;
  let shownLines = 0;
  const view = () => ({ source: spec.uri, provider: `${detector.provider.name}`, metrics, health, lastDetections, calibration: calibrationSummary(detector.calibration) });
  const redraw = () => {
    const lines = statusLines(view());
    const up = shownLines > 0 ? `\x1b[${shownLines}A` : '';
    process.stderr.write(`${up}${lines.map((l) => `\x1b[2K${l}`).join('\n')}\n`);
    shownLines = lines.length;
  };
  const log = (line: string) => {
    if (tty && shownLines > 0) {
      process.stderr.write(`\x1b[${shownLines}A\x1b[0J`);
      shownLines = 0;
    }
    process.stderr.write(`${line}\n`);
    if (tty) redraw();
  };

  type Outcome = { kind: 'ended' } | { kind: 'stopped'; why: string } | { kind: 'failed'; error: unknown };
  let sub: Subscription | undefined;
  const outcome = await new Promise<Outcome>((resolve) => {
    let stopTimer: NodeJS.Timeout | undefined;
    const settle = (o: Outcome) => {
      clearTimeout(stopTimer);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      resolve(o);
    };
    const onSignal = (sig: NodeJS.Signals) => settle({ kind: 'stopped', why: sig });
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
    if (seconds !== undefined) stopTimer = setTimeout(() => settle({ kind: 'stopped', why: `--seconds ${seconds}` }), seconds * 1000);
    sub = livePipeline({
      source: spec,
      detector,
      calibration: detector.liveCalibration,
      capture: { width: size.width, height: size.height, fps, realtime: flags.realtime },
      normalise: flags.normalise ? {} : false,
    }).subscribe({
      next: (e) => {
        switch (e.type) {
          case 'health':
            if (e.health.type !== 'fps') {
              health = e.health;
              if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'health', health: e.health })}\n`);
              else log(`[${new Date(e.health.atMs).toISOString()}] ${describeHealth(e.health)}`);
            }
            break;
          case 'detections':
            lastDetections = e.detections;
            break;
          case 'metrics':
            metrics = e.metrics;
            if (flags.json) process.stdout.write(`${JSON.stringify({ type: 'metrics', metrics: e.metrics, calibration: detector.calibration })}\n`);
            else if (tty) redraw();
            else process.stderr.write(`${statusLine(view())}\n`);
            break;
          case 'frame':
            framesSeen++;
            if (maxFrames !== undefined && framesSeen >= maxFrames) settle({ kind: 'stopped', why: `--frames ${maxFrames}` });
            break;
        }
      },
      error: (error) => settle({ kind: 'failed', error }),
      complete: () => settle({ kind: 'ended' }),
    });
  });

  // Cleanup: end ffmpeg (SIGTERM, then SIGKILL), wait for it, release the detector.
  sub?.unsubscribe();
  await firstValueFrom(race(timer(DEFAULT_CAPTURE_CONFIG.killTimeoutMs + 1000), ffmpegChildrenExited()));
  await detector.release();

  const final = metrics ? statusLine(view()) : 'no frames';
  switch (outcome.kind) {
    case 'ended':
      process.stderr.write(`leukoscan run: source ended. ${final}\n`);
      process.exitCode = EXIT.OK;
      break;
    case 'stopped':
      process.stderr.write(`leukoscan run: stopped (${outcome.why}). ${final}\n`);
      process.exitCode = EXIT.OK;
      break;
    case 'failed': {
      const err = outcome.error;
      process.stderr.write(`leukoscan run: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exitCode = err instanceof CaptureError && /not found/.test(err.reason) ? EXIT.NO_INPUT : EXIT.FAILURE;
      break;
    }
  }
}
