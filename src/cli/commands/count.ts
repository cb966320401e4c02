import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { LEUKOCYTE_TYPES } from '../../core/classes.js';
import { DEFAULT_CAPTURE_CONFIG } from '../../capture/config.js';
import { SourceUriError, isLiveSource, parseSourceUri } from '../../capture/source-uri.js';
import { DecoderErrors, containerFrameCount, containerFramesAtRate, judgeCompleteness } from '../../capture/video-integrity.js';
import { DETECT_DEFAULTS } from '../../detect/config.js';
import type { DeviceChoice } from '../../detect/detector.js';
import { OnnxDetector } from '../../detect/onnx-detector.js';
import { livePipeline } from '../../pipeline/live-pipeline.js';
import { readVideoFrames } from '../../sim/video-io.js';
import { TRACK_DEFAULTS } from '../../track/config.js';
import { runCountEveryFrame, runCountLive, type CountRunResult } from '../../app/run-count.js';
import type { CountUpdate } from '../../track/types.js';
import { EXIT } from '../exit-codes.js';
import { noTyperOption, typerOption, typerPathOption } from '../typer-option.js';
import { deviceOption, parsePositiveInt, parseScore, precisionOption } from '../detector-options.js';
import type { Precision } from '../../detect/precision.js';
import { trackingForScale } from '../../track/scale.js';
import { type CalibrationFlags, LIVE_SOURCE, calibratedDetector, calibrationOptions, describeCalibration, fixedRbcDiameterPx, preflightProfile } from '../calibration-options.js';

interface CountOptions extends CalibrationFlags {
  typer?: string | boolean;
  json?: string;
  model: string;
  device: DeviceChoice;
  precision?: Precision;
  threads?: number;
  scoreThreshold: number;
  size: { width: number; height: number };
  fps: number;
  realtime: boolean;
  target: number;
  minObservations: number;
  minMeanScore: number;
  normalise: boolean;
}

/** The JSON `leukoscan count --json` writes. first_seen / last_seen are frame indices (0-based). */
export interface CountJson {
  differential: Record<string, { count: number; percent: number }>;
  total: number;
  cells: { id: number; type: string; confidence: number; slide_x: number; slide_y: number; first_seen: number; last_seen: number }[];
  frames: { read: number; detected: number; skipped: number };
  /** Only when a video file ended early (exit 3): what was read against what its container holds. */
  /** container_frames: at resampled_fps where the file was read with --realtime. */
  incomplete?: { frames_read: number; container_frames: number | null; resampled_fps?: number; decoder_error_count: number; decoder_errors: string[] };
}

export function countJson(run: CountRunResult): CountJson {
  const d = run.last?.frame.differential;
  const differential: CountJson['differential'] = {};
  for (const t of LEUKOCYTE_TYPES) differential[t] = { count: d?.counts[t].count ?? 0, percent: round(d?.counts[t].percent ?? 0, 2) };
  return {
    differential,
    total: d?.total ?? 0,
    cells: run.cells.map((c) => ({
      id: c.id,
      type: c.type,
      confidence: round(c.confidence, 4),
      slide_x: round(c.slideX, 1),
      slide_y: round(c.slideY, 1),
      first_seen: c.firstSeenSeq,
      last_seen: c.lastSeenSeq,
    })),
    frames: run.frames,
  };
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

function parseSize(v: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(v);
  if (!m || +m[1] <= 0 || +m[2] <= 0) throw new InvalidArgumentError('must be WxH, e.g. 640x480');
  return { width: +m[1], height: +m[2] };
}

function parsePositive(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('must be a positive number');
  return n;
}

export function register(program: Command): void {
  const cmd = program
    .command('count')
    .description('Count leukocytes in a video (capture -> normalise -> detect -> track -> count) and report the differential')
    .argument('<source>', 'video file (or rtsp://, v4l2:///dev/videoN: counted until Ctrl-C)')
    .option('--json <file>', 'write {differential, total, cells, frames} here')
    .option('--model <file>', 'ONNX model (its card is the .json beside it)', DETECT_DEFAULTS.modelPath)
    .addOption(typerOption())
    .addOption(noTyperOption())
    .addOption(deviceOption())
    .addOption(precisionOption())
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', parsePositiveInt)
    .option('--score-threshold <t>', 'detector score threshold', parseScore, DETECT_DEFAULTS.scoreThreshold)
    .option('--size <WxH>', 'frame size the video is scaled to', parseSize, { width: DEFAULT_CAPTURE_CONFIG.width, height: DEFAULT_CAPTURE_CONFIG.height })
    .option('--fps <n>', 'frame rate for --realtime and live sources', parsePositive, DEFAULT_CAPTURE_CONFIG.fps)
    .option('--realtime', 'read a file at its native rate like a camera: frames arriving while the detector is busy are skipped', false)
    .option('--target <n>', 'differential target (cells)', parsePositiveInt, TRACK_DEFAULTS.count.target)
    .option('--min-observations <n>', 'full, in-focus views needed before a cell is counted', parsePositiveInt, TRACK_DEFAULTS.count.minObservations)
    .option('--min-mean-score <s>', 'mean detector score needed before a cell is counted', parseScore, TRACK_DEFAULTS.count.minMeanScore)
    .option('--no-normalise', 'no colour normalisation to the model card reference');
  for (const o of calibrationOptions()) cmd.addOption(o);
  cmd
    .addHelpText(
      'after',
      '\nA file is read to its end and every frame goes through the detector unless --realtime is given.' +
        '\nThe tracker\'s pixel thresholds follow the scale of --profile or --um-per-px (BCCD\'s otherwise).' +
        '\nExit codes: 0 counted; 3 the video ended early (decoder errors, or fewer frames than its container holds; with --realtime, than its duration at --fps: the partial count is written);' +
        '\n66 the source, model or --profile is missing; 2 bad arguments or a bad --profile; 1 the run failed.',
    )
    .action(async (source: string, opts: CountOptions) => {
      let spec;
      try {
        spec = parseSourceUri(source);
      } catch (err) {
        if (err instanceof SourceUriError) {
          process.stderr.write(`leukoscan count: ${err.message}\n`);
          process.exitCode = EXIT.USAGE;
          return;
        }
        throw err;
      }
      if (spec.kind === 'file' && !existsSync(spec.path)) {
        process.stderr.write(`leukoscan count: source ${spec.path} not found\n`);
        process.exitCode = EXIT.NO_INPUT;
        return;
      }
      if (!existsSync(opts.model)) {
        process.stderr.write(`leukoscan count: model ${opts.model} not found\n`);
        process.exitCode = EXIT.NO_INPUT;
        return;
      }
      const pre = await preflightProfile(opts, (line) => process.stderr.write(`leukoscan count: ${line}\n`));
      if ('exitCode' in pre) {
        process.exitCode = pre.exitCode;
        return;
      }
      const profileScale = pre.profile?.scale.rbcDiameterPx;
      const onnx = await OnnxDetector.create({ modelPath: opts.model, typerPath: typerPathOption(opts.typer, opts.model), device: opts.device, precision: opts.precision, intraOpThreads: opts.threads, scoreThreshold: opts.scoreThreshold });
      process.stderr.write(`leukoscan count: ${onnx.describe()}\n`);
      const detector = await calibratedDetector(onnx, opts, LIVE_SOURCE);
      process.stderr.write(`leukoscan count: ${describeCalibration(detector.calibration, opts)}\n`);
      process.stderr.write(`leukoscan count: ${detector.card.name}, leukocytes typed by ${onnx.typer ? onnx.typer.card.name : 'the detector (no typer)'}\n`);
      // the tracker's pixel lengths follow a scale known before the run (a profile, --um-per-px)
      const track = trackingForScale(fixedRbcDiameterPx(opts, profileScale), { count: { target: opts.target, minObservations: opts.minObservations, minMeanScore: opts.minMeanScore } }).track;
      let targetAnnounced = false;
      const onUpdate = (u: CountUpdate) => {
        if (!targetAnnounced && u.events.some((e) => e.kind === 'target-reached')) {
          targetAnnounced = true;
          process.stderr.write(`target of ${opts.target} cells reached at frame ${u.frame.frame.seq}\n`);
        }
      };
      let run: CountRunResult;
      const decoderErrors = new DecoderErrors();
      const everyFrame = spec.kind === 'file' && !opts.realtime;
      try {
        if (spec.kind === 'file' && everyFrame) {
          run = await runCountEveryFrame({
            calibration: detector.liveCalibration,
            frames: readVideoFrames(spec.path, { width: opts.size.width, height: opts.size.height, startMs: 0, fps: opts.fps, onStderr: decoderErrors.add }),
            sourceLabel: spec.path,
            detector,
            normalise: opts.normalise ? {} : false,
            track,
            onUpdate,
          });
        } else {
          const live$ = livePipeline({
            calibration: detector.liveCalibration,
            source: spec,
            detector,
            normalise: opts.normalise ? {} : false,
            metrics: false,
            capture: { width: opts.size.width, height: opts.size.height, fps: opts.fps, realtime: true, onStderr: decoderErrors.add },
          });
          run = await runCountLive(live$, track, onUpdate, isLiveSource(spec) ? stopOnSigint() : undefined);
        }
      } finally {
        await detector.release();
      }
      const out: CountJson = countJson(run);
      // A file is checked against its container: a cut file still ends with ffmpeg's exit 0. With
      // --realtime ffmpeg resamples to --fps, so frames read are set against the container's duration.
      if (spec.kind === 'file') {
        const containerFrames = everyFrame ? await containerFrameCount(spec.path) : await containerFramesAtRate(spec.path, opts.fps);
        const read = { framesRead: run.frames.read, containerFrames, decoderErrors: decoderErrors.lines, decoderErrorCount: decoderErrors.total, ...(everyFrame ? {} : { resampledFps: opts.fps }) };
        const verdict = judgeCompleteness(read);
        if (!verdict.complete) {
          out.incomplete = { frames_read: read.framesRead, container_frames: read.containerFrames, ...(everyFrame ? {} : { resampled_fps: opts.fps }), decoder_error_count: read.decoderErrorCount, decoder_errors: [...read.decoderErrors] };
          process.stderr.write(`leukoscan count: WARNING: ${verdict.warning}\n`);
          process.exitCode = EXIT.PARTIAL;
        }
      }
      const text = JSON.stringify(out, null, 2);
      if (opts.json) await writeFile(opts.json, text + '\n');
      const d = out.differential;
      process.stdout.write(
        `counted ${out.total} leukocytes: ${LEUKOCYTE_TYPES.map((t) => `${t} ${d[t].count} (${d[t].percent.toFixed(1)}%)`).join(', ')}; ` +
          `frames read ${out.frames.read}, detected ${out.frames.detected}, skipped ${out.frames.skipped}\n`,
      );
    });
}

/** A promise resolved at the first SIGINT (the live count then ends and writes its result). */
function stopOnSigint(): Promise<void> {
  return new Promise((resolve) => process.once('SIGINT', () => resolve()));
}
