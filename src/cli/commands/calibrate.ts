import { InvalidArgumentError, Option, type Command } from 'commander';
import { DEFAULT_CAPTURE_CONFIG, parseSize } from '../../capture/config.js';
import { SourceUriError, parseSourceUri } from '../../capture/source-uri.js';
import { DETECT_DEFAULTS } from '../../detect/config.js';
import { ModelCardError, cardPathForModel, loadModelCard } from '../../detect/model-card-loader.js';
import { Calibrator } from '../../calibration/calibrator.js';
import { ProfileError, writeDeviceProfile } from '../../calibration/profile-file.js';
import { calibrationSummary } from '../../calibration/summary.js';
import { MissingInputError, readCalibrationFrames, redactSourceUri } from '../calibrate-frames.js';
import { EXIT } from '../exit-codes.js';
import { parsePositiveInt } from '../detector-options.js';

interface CalibrateOptions {
  frames: number;
  out: string;
  model: string;
  size: { width: number; height: number };
  fps: number;
}

export const CALIBRATE_DEFAULT_FRAMES = 30;

function sizeOption(v: string): { width: number; height: number } {
  try {
    return parseSize(v);
  } catch (err) {
    throw new InvalidArgumentError((err as Error).message);
  }
}

export function register(program: Command): void {
  program
    .command('calibrate')
    .description('Measure a camera from the slide itself (scale from the red cells, field of view, colour) and write a device profile')
    .argument('<source>', 'an image file, a directory of images, a video file, rtsp://…, v4l2:///dev/videoN or test:PATTERN')
    .requiredOption('--out <file>', 'device profile to write (JSON; read it back with --profile FILE)')
    .option('--frames <n>', 'frames to measure (images of a directory: the first N)', parsePositiveInt, CALIBRATE_DEFAULT_FRAMES)
    .option('--model <file>', 'ONNX model whose card gives the colour reference', DETECT_DEFAULTS.modelPath)
    .addOption(
      new Option('--size <WxH>', 'frame size video and live sources are scaled to')
        .argParser(sizeOption)
        .default({ width: DEFAULT_CAPTURE_CONFIG.width, height: DEFAULT_CAPTURE_CONFIG.height }, `${DEFAULT_CAPTURE_CONFIG.width}x${DEFAULT_CAPTURE_CONFIG.height}`),
    )
    .option('--fps <n>', 'frame rate of live sources', parsePositiveInt, DEFAULT_CAPTURE_CONFIG.fps)
    .addHelpText(
      'after',
      '\nPrints one line, e.g. "Scale 0.11 µm/px (412 red cells) · field: circle · colour: calibrated".' +
        '\nExit codes: 0 written; 2 bad arguments; 66 the source or the model card is missing; 1 no calibration (e.g. no red cells found).',
    )
    .action(async (source: string, opts: CalibrateOptions) => {
      const say = (line: string) => process.stderr.write(`leukoscan calibrate: ${line}\n`);
      let spec;
      try {
        spec = parseSourceUri(source);
      } catch (err) {
        if (!(err instanceof SourceUriError)) throw err;
        say(err.message);
        process.exitCode = EXIT.USAGE;
        return;
      }
      let reference;
      try {
        reference = (await loadModelCard(cardPathForModel(opts.model))).colourReference;
      } catch (err) {
        if (!(err instanceof ModelCardError)) throw err;
        say(err.message);
        process.exitCode = /not found/.test(err.message) ? EXIT.NO_INPUT : EXIT.FAILURE;
        return;
      }
      let frames;
      try {
        frames = await readCalibrationFrames(spec, { frames: opts.frames, size: opts.size, fps: opts.fps });
      } catch (err) {
        say(err instanceof Error ? err.message : String(err));
        process.exitCode = err instanceof MissingInputError ? EXIT.NO_INPUT : EXIT.FAILURE;
        return;
      }
      if (frames.length === 0) {
        say(`no frames read from ${spec.uri}`);
        process.exitCode = EXIT.NO_INPUT;
        return;
      }
      // Every frame read is measured (the warm-up is the whole set); the profile is their medians.
      const calibrator = new Calibrator({ camera: redactSourceUri(spec.uri), reference, warmupFrames: frames.length, refineEvery: 1, holdAfter: Number.MAX_SAFE_INTEGER });
      for (const f of frames) calibrator.push(f);
      const state = calibrator.state;
      if (!state.profile) {
        say(`no calibration from ${frames.length} frame(s): ${state.lastError ?? 'no estimate'}`);
        process.exitCode = EXIT.FAILURE;
        return;
      }
      try {
        await writeDeviceProfile(opts.out, state.profile);
      } catch (err) {
        if (!(err instanceof ProfileError)) throw err;
        say(err.message);
        process.exitCode = EXIT.FAILURE;
        return;
      }
      process.stdout.write(`${calibrationSummary(state.profile)}\n`);
      say(`${state.goodEstimates} of ${state.frames} frame(s) gave a scale; wrote ${opts.out}`);
    });
}
