import { mkdir, open, type FileHandle } from 'node:fs/promises';
import { join, parse } from 'node:path';
import { Option, type Command } from 'commander';
import type { Frame } from '../../core/frame.js';
import { EXIT } from '../exit-codes.js';
import { type CalibrationFlags, calibratedDetector, calibrationOptions, describeCalibration, preflightProfile } from '../calibration-options.js';
import { noTyperOption, typerOption, typerPathOption } from '../typer-option.js';
import { DETECT_DEFAULTS } from '../../detect/config.js';
import type { DeviceChoice } from '../../detect/detector.js';
import { decodeImageFile } from '../../detect/image-decode.js';
import { listImageInputs } from '../image-inputs.js';
import { OnnxDetector } from '../../detect/onnx-detector.js';
import type { Precision } from '../../detect/precision.js';
import { type CocoDetectionRecord, fileNameOf, toCocoRecords, toJsonlRecord } from '../../detect/output-formats.js';
import { writeOverlay } from '../overlay.js';
import { progressBar } from '../progress.js';
import { deviceOption, parsePositiveInt, parseScore, precisionOption } from '../detector-options.js';

export interface DetectCommandOptions extends CalibrationFlags {
  typer?: string | boolean;
  model: string;
  device: DeviceChoice;
  precision?: Precision;
  scoreThreshold: number;
  topK: number;
  threads?: number;
  format: 'coco' | 'jsonl';
  out?: string;
  overlay?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('detect')
    .description('Detect blood cells in image files or directories of images')
    .argument('<inputs...>', 'image files and/or directories of images')
    .option('--model <file>', 'ONNX model (its card is the .json beside it)', DETECT_DEFAULTS.modelPath)
    .addOption(typerOption())
    .addOption(noTyperOption())
    .addOption(deviceOption())
    .addOption(precisionOption())
    .option('--score-threshold <t>', 'drop detections scoring below this', parseScore, DETECT_DEFAULTS.scoreThreshold)
    .option('--top-k <k>', 'max detections per image (top-k over queries x classes)', parsePositiveInt, DETECT_DEFAULTS.topK)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: all cores)', parsePositiveInt)
    .addOption(new Option('--format <format>', 'coco: JSON array of {file_name, category, bbox [x,y,w,h], score}; jsonl: one line per image').choices(['coco', 'jsonl']).default('coco'))
    .option('--out <file>', 'write results here instead of stdout')
    .option('--overlay <dir>', 'also write annotated copies of the images to this directory');
  for (const o of calibrationOptions()) cmd.addOption(o);
  cmd
    .addHelpText(
      'after',
      '\nWith --calibration auto (the default) each image is calibrated by itself: its red cells give the scale, and the image is resampled (and tiled) to the scale the model was trained at.' +
        '\nExit codes: 0 all images processed; 3 some images failed (each named on stderr); 66 no input images or --profile not found; 2 bad --profile; 1 the model could not be used.',
    )
    .action(async (inputs: string[], opts: DetectCommandOptions) => {
      process.exitCode = await runDetect(inputs, opts);
    });
}

function say(line: string): void {
  process.stderr.write(`leukoscan detect: ${line}\n`);
}

/** Bounded read-ahead: decode the next image while the worker runs the current one. */
function decodeAhead(files: string[]): (i: number) => Promise<Frame> {
  const pending = new Map<number, Promise<Frame>>();
  const start = (i: number) => {
    if (i < files.length && !pending.has(i)) {
      const p = decodeImageFile(files[i], i);
      p.catch(() => {}); // handled when taken
      pending.set(i, p);
    }
  };
  return (i: number) => {
    start(i);
    const p = pending.get(i)!;
    pending.delete(i);
    start(i + 1);
    return p;
  };
}

export async function runDetect(inputs: string[], opts: DetectCommandOptions): Promise<number> {
  const { files, problems } = await listImageInputs(inputs);
  for (const p of problems) say(p.message);
  if (files.length === 0) {
    say('no input images');
    return EXIT.NO_INPUT;
  }

  // Outputs first: a bad --out or --overlay fails before the model loads.
  let outFile: FileHandle | undefined;
  try {
    if (opts.out) outFile = await open(opts.out, 'w');
    if (opts.overlay) await mkdir(opts.overlay, { recursive: true });
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    say(`Output ${e.path ?? opts.out ?? opts.overlay}: cannot be written (${e.code ?? e.message})`);
    await outFile?.close();
    return EXIT.FAILURE;
  }

  // A bad --profile fails before the model loads, naming the file.
  const pre = await preflightProfile(opts, say);
  if ('exitCode' in pre) {
    await outFile?.close();
    return pre.exitCode;
  }

  let onnx: OnnxDetector;
  try {
    onnx = await OnnxDetector.create({
      modelPath: opts.model,
      typerPath: typerPathOption(opts.typer, opts.model),
      device: opts.device,
      precision: opts.precision,
      scoreThreshold: opts.scoreThreshold,
      topK: opts.topK,
      intraOpThreads: opts.threads,
    });
  } catch (err) {
    say((err as Error).message);
    await outFile?.close();
    return EXIT.FAILURE;
  }
  say(`model ${onnx.describe()}`);
  const detector = await calibratedDetector(onnx, opts, { perImage: true });
  say(describeCalibration(detector.calibration, opts));

  const write = outFile
    ? async (s: string) => {
        await outFile.write(s);
      }
    : (s: string) => new Promise<void>((resolve, reject) => process.stdout.write(s, (e) => (e ? reject(e) : resolve())));

  const coco: CocoDetectionRecord[] = [];
  let failed = problems.length;
  const progress = progressBar(files.length, 'detect');
  const next = decodeAhead(files);
  try {
    for (let i = 0; i < files.length; i++) {
      const file = files[i];
      try {
        const frame = await next(i);
        const d = await detector.detect(frame);
        if (opts.format === 'coco') coco.push(...toCocoRecords(file, d));
        else await write(JSON.stringify(toJsonlRecord(file, d)) + '\n');
        if (opts.overlay) {
          const { name, ext } = parse(file);
          await writeOverlay(file, d, join(opts.overlay, `${name}${ext || '.png'}`));
        }
      } catch (err) {
        failed++;
        const message = (err as Error).message;
        say(message.includes(file) ? message : `${file}: ${message}`);
        if (opts.format === 'jsonl') await write(JSON.stringify({ file_name: fileNameOf(file), error: message }) + '\n');
      }
      progress.tick();
    }
    if (opts.format === 'coco') await write(JSON.stringify(coco) + '\n');
  } finally {
    progress.stop();
    await detector.release();
    await outFile?.close();
  }
  if (failed === 0) return EXIT.OK;
  say(`${failed} of ${files.length + problems.length} inputs failed`);
  return failed >= files.length + problems.length ? EXIT.FAILURE : EXIT.PARTIAL;
}
