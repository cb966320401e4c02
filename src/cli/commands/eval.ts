import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Option, type Command } from 'commander';
import { EXIT } from '../exit-codes.js';
import { noTyperOption, typerOption, typerPathOption } from '../typer-option.js';
import { DETECT_DEFAULTS } from '../../detect/config.js';
import type { DeviceChoice } from '../../detect/detector.js';
import { decodeImageFile } from '../../detect/image-decode.js';
import { OnnxDetector } from '../../detect/onnx-detector.js';
import { toCocoRecords, type CocoDetectionRecord } from '../../detect/output-formats.js';
import { progressBar } from '../progress.js';
import { AnnotationError, readAnnotations, readSplit, type AnnotationSet } from '../../eval/annotations/index.js';
import { mergeWbc } from '../../eval/category-names.js';
import { evaluateCoco, type DetectionBox } from '../../eval/coco-eval.js';
import { EVAL_SCORE_THRESHOLD } from '../../eval/config.js';
import { readPredictions, recordsToDetections } from '../../eval/predictions.js';
import { formatCocoTable, summaryToJson } from '../../eval/report.js';
import { type CalibrationFlags, calibratedDetector, calibrationOptions, describeCalibration, preflightProfile } from '../calibration-options.js';
import { deviceOption, parsePositiveInt, parseScore, precisionOption } from '../detector-options.js';
import type { Precision } from '../../detect/precision.js';

export interface EvalCommandOptions extends CalibrationFlags {
  typer?: string | boolean;
  images: string;
  annotations: string;
  split?: string;
  mergeWbc?: boolean;
  predictions?: string;
  model: string;
  device: DeviceChoice;
  precision?: Precision;
  threads?: number;
  scoreThreshold: number;
  json?: string;
  savePredictions?: string;
}

export function register(program: Command): void {
  const cmd = program
    .command('eval')
    .description('COCO AP / AP50 / AP75 and per-class AP of the model (or a predictions file) on annotated images')
    .requiredOption('--images <dir>', 'folder of the images')
    .requiredOption('--annotations <path>', 'VOC folder (root or Annotations/), YOLO labels folder, or COCO .json')
    .option('--split <list>', 'text file of image ids to evaluate (e.g. bccd/ImageSets/Main/test.txt)')
    .option('--merge-wbc', 'merge NEU/LYM/MON/EOS/BAS into WBC (BCCD-3: RBC, WBC, Platelets)')
    .option('--predictions <file>', "evaluate this 'detect --format coco' file instead of running the model")
    .option('--model <file>', 'ONNX model', DETECT_DEFAULTS.modelPath)
    .addOption(typerOption())
    .addOption(noTyperOption())
    .addOption(deviceOption())
    .addOption(precisionOption())
    .option('--threads <n>', 'onnxruntime intra-op threads', parsePositiveInt)
    .option('--score-threshold <t>', 'score threshold when running the model (COCO practice: keep all top-k)', parseScore, EVAL_SCORE_THRESHOLD)
    .option('--json <file>', 'also write the metrics as JSON')
    .option('--save-predictions <file>', "when running the model, also write its predictions ('detect --format coco')");
  for (const o of calibrationOptions()) cmd.addOption(o);
  cmd
    .addHelpText(
      'after',
      '\nAP follows pycocotools: IoU .50:.05:.95, 101-point interpolation, maxDets 100, area ranges small/medium/large.\n' +
        'Image ids are file stems; predictions and annotations are matched by them.\n' +
        'Exit codes: 0 evaluated; 3 evaluated but some images failed or some annotation files were malformed (named, skipped); 66 annotations, split or images missing; 1 model or predictions unusable.',
    )
    .action(async (opts: EvalCommandOptions) => {
      process.exitCode = await runEval(opts);
    });
}

function say(line: string): void {
  process.stderr.write(`leukoscan eval: ${line}\n`);
}

async function predictWithModel(set: AnnotationSet, opts: EvalCommandOptions): Promise<{ records: CocoDetectionRecord[]; failed: number }> {
  const onnx = await OnnxDetector.create({
    modelPath: opts.model,
    typerPath: typerPathOption(opts.typer, opts.model),
    device: opts.device,
    precision: opts.precision,
    intraOpThreads: opts.threads,
    scoreThreshold: opts.scoreThreshold,
  });
  say(`model ${onnx.describe()}`);
  const detector = await calibratedDetector(onnx, opts, { perImage: true }).catch(async (err: unknown) => {
    await onnx.release();
    throw err;
  });
  say(describeCalibration(detector.calibration, opts));
  const records: CocoDetectionRecord[] = [];
  let failed = 0;
  const entries = [...set.images.entries()];
  const progress = progressBar(entries.length, 'eval');
  try {
    let next = entries.length > 0 ? decodeImageFile(join(opts.images, entries[0][1])) : undefined;
    for (let i = 0; i < entries.length; i++) {
      const file = join(opts.images, entries[i][1]);
      const current = next!;
      next = i + 1 < entries.length ? decodeImageFile(join(opts.images, entries[i + 1][1])) : undefined;
      next?.catch(() => {});
      try {
        records.push(...toCocoRecords(file, await detector.detect(await current)));
      } catch (err) {
        failed++;
        say((err as Error).message);
      }
      progress.tick();
    }
  } finally {
    progress.stop();
    await detector.release();
  }
  return { records, failed };
}

export async function runEval(opts: EvalCommandOptions): Promise<number> {
  let set: AnnotationSet;
  try {
    const ids = opts.split ? await readSplit(opts.split) : undefined;
    set = await readAnnotations(opts.annotations, opts.images, ids);
  } catch (err) {
    say((err as Error).message);
    return err instanceof AnnotationError ? EXIT.NO_INPUT : EXIT.FAILURE;
  }
  if (set.images.size === 0) {
    say(`Annotations ${opts.annotations}: no images to evaluate`);
    return EXIT.NO_INPUT;
  }
  for (const bad of set.skipped) say(`Annotations ${bad.file}: ${bad.reason}; skipped, the other ${set.images.size} images are evaluated`);

  const pre = opts.predictions ? { profile: undefined } : await preflightProfile(opts, say);
  if ('exitCode' in pre) return pre.exitCode;

  let detections: DetectionBox[];
  let failed = 0;
  try {
    if (opts.predictions) {
      detections = await readPredictions(opts.predictions, { mergeWbc: opts.mergeWbc ?? false });
    } else {
      const run = await predictWithModel(set, opts);
      failed = run.failed;
      if (opts.savePredictions) await writeFile(opts.savePredictions, JSON.stringify(run.records) + '\n');
      detections = recordsToDetections(run.records, { mergeWbc: opts.mergeWbc ?? false });
    }
  } catch (err) {
    say((err as Error).message);
    return EXIT.FAILURE;
  }
  if (failed === set.images.size) {
    say('every image failed');
    return EXIT.FAILURE;
  }

  const categories = opts.mergeWbc ? [...new Set(set.categories.map(mergeWbc))] : set.categories;
  const groundTruth = opts.mergeWbc ? set.boxes.map((b) => ({ ...b, category: mergeWbc(b.category) })) : set.boxes;
  const summary = evaluateCoco({ imageIds: [...set.images.keys()], categories, groundTruth }, detections);
  const source = opts.predictions ? `predictions ${opts.predictions}` : `model ${opts.model}`;
  const title =
    `COCO bbox AP (IoU .50:.95, 101-point, maxDets 100) of ${source}\n` +
    `on ${set.images.size} images, ${groundTruth.length} boxes (${set.format} ${opts.annotations}${opts.split ? `, split ${opts.split}` : ''})` +
    (opts.mergeWbc ? ', leukocyte types merged into WBC' : '');
  process.stdout.write(formatCocoTable(summary, title) + '\n');
  if (opts.json) {
    try {
      await writeFile(opts.json, JSON.stringify(summaryToJson(summary), null, 2) + '\n');
    } catch (err) {
      say(`Output ${opts.json}: cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
      return EXIT.FAILURE;
    }
  }
  if (failed > 0) {
    say(`${failed} of ${set.images.size} images failed and count as having no detections`);
    return EXIT.PARTIAL;
  }
  return set.skipped.length > 0 ? EXIT.PARTIAL : EXIT.OK;
}
