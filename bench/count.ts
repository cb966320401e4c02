/**
 * Counting benchmark on simulated slide scans (BCCD test fields, held out from
 * training): unique-cell recall and precision, double-count rate, per-type
 * count error and differential error, with
 *   - the oracle detector: ground-truth boxes projected into each frame at the
 *     simulator's true pose (tests registration, tracking and counting alone);
 *   - the shipped model (models/leukoscan-lite.onnx, or its int8 sibling where --precision picks it, through OnnxDetector, with the
 *     leukocyte typer models/leukoscan-typer.onnx unless --no-typer).
 * Both run through the same live pipeline path as `leukoscan count` (every frame
 * detected). Frames are rendered in memory (no video encode/decode).
 *
 * A third row set, "oracle 1/4", gives the oracle's boxes on every 4th frame only
 * (a detector at a quarter of the camera rate; registration still sees every frame).
 *
 *   npx tsx bench/count.ts [--scans 3] [--oracle-scans 8] [--model models/leukoscan-lite.onnx] [--oracle-only]
 *                          [--fps 5] [--duration 36] [--json out.json] [--data DIR]
 *                          [--score-threshold 0.3] [--min-mean-score 0.5]   (model rows only; defaults from config)
 *                          [--typer [FILE] | --no-typer] [--no-normalise | --colour-mode wb|lab|wb+lab]   (model rows' colour normalisation)
 *                          [--precision auto|float|int8]   (model rows: float file or its int8 sibling; default auto)
 *                          [--device NAME]   (the scans seen through a simulated device of src/sim/devices, e.g. x0.6, x1.5, stain-blue, eyepiece-x0.6)
 *                          [--calibration auto|off]   (model rows: CalibratedDetector as `leukoscan count --calibration auto` builds it;
 *                                                      default auto with --device, else off, today's rows)
 *
 * With --device, the camera path runs over a mosaic large enough for the device's view (frame / magnification
 * in mosaic pixels), each frame goes through the device renderer, the oracle's boxes are scaled to the device's
 * pixels, and counted cells are mapped back to mosaic pixels for scoring.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { MODEL_CLASSES, LEUKOCYTE_TYPES } from '../src/core/classes.js';
import type { ModelCard } from '../src/core/model-card.js';
import type { Detector } from '../src/detect/detector.js';
import { typerPathOption } from '../src/cli/typer-option.js';
import { OnnxDetector } from '../src/detect/onnx-detector.js';
import { PRECISIONS, type Precision } from '../src/detect/precision.js';
import { dataRoot } from '../src/sim/bccd.js';
import { oracleDetections } from '../src/sim/oracle.js';
import { buildScan, SCAN_DEFAULTS, type SimulatedScan } from '../src/sim/scan.js';
import { deviceByName } from '../src/sim/devices/catalogue.js';
import { cellsToMosaicScale, deviceScanFrames, deviceScanOptions, scaleDetections } from '../src/sim/devices/device-scan.js';
import type { DeviceSpec } from '../src/sim/devices/types.js';
import type { Frame } from '../src/core/frame.js';
import { LIVE_SOURCE, calibratedDetector, describeCalibration } from '../src/cli/calibration-options.js';
import { scoreScan, sumScores, summarise, type ScanScore, type ScoreSummary } from '../src/sim/score.js';
import { runCountEveryFrame, type CountRunResult } from '../src/app/run-count.js';
import { SlideCounter } from '../src/track/slide-counter.js';
import { startsSegment } from '../src/track/types.js';

/** The scan's frames: as rendered, or through the device (--device). */
function scanFrames(scan: SimulatedScan, device: DeviceSpec | null): Iterable<Frame> | AsyncIterable<Frame> {
  return device ? deviceScanFrames(device, scan.frames(), scan.groundTruth.options.seed) : scan.frames();
}

/** The oracle's boxes for a frame at its true pose, in the (device) frame's pixels. */
function oracleFor(scan: SimulatedScan, frame: Frame, device: DeviceSpec | null) {
  const { groundTruth: gt } = scan;
  const o = oracleDetections(gt, gt.path[frame.seq], gt.options.frameWidth, gt.options.frameHeight);
  return device ? scaleDetections(o, device.magnification, frame.width, frame.height) : o;
}

/** The oracle at a quarter of the camera rate, without the pipeline: SlideCounter directly. */
async function runOracleSparse(scan: SimulatedScan, every: number, device: DeviceSpec | null): Promise<CountRunResult> {
  const counter = new SlideCounter();
  const segmentStarts = new Map<number, number>();
  const frames = { read: 0, detected: 0, skipped: 0 };
  let last = null;
  for await (const frame of scanFrames(scan, device)) {
    frames.read++;
    const detect = frame.seq % every === 0;
    if (detect) frames.detected++;
    else frames.skipped++;
    last = counter.update({ frame, detections: detect ? oracleFor(scan, frame, device) : null });
    if (startsSegment(last.frame)) segmentStarts.set(last.frame.segment, frame.seq);
  }
  return { last, cells: counter.countedCells(), frames, segmentStarts };
}

interface Args {
  scans: number;
  oracleScans: number;
  model: string;
  oracleOnly: boolean;
  fps: number;
  duration: number;
  json?: string;
  data?: string;
  seed: number;
  /** Detector score threshold (also the registry's minimum score). */
  scoreThreshold?: number;
  /** Counting policy: mean score of a cell's full views. */
  minMeanScore?: number;
  /** The leukocyte typer: --typer [FILE] (bare: leukoscan-typer.onnx beside the model), --no-typer; default: beside the model when present. */
  typer?: string | boolean;
  /** Model rows without the pipeline's colour normalisation (a diagnostic). */
  noNormalise: boolean;
  /** Model rows: the colour normaliser's mode (default from src/pipeline/config.ts). */
  colourMode?: 'wb' | 'lab' | 'wb+lab';
  /** Model rows: float file or its int8 sibling (src/detect/precision.ts; default auto). */
  precision?: Precision;
  /** Render the scans as this simulated device (src/sim/devices/catalogue.ts). */
  device?: string;
  /** Model rows through CalibratedDetector ('auto') or as today ('off'); default auto with --device. */
  calibration?: 'auto' | 'off';
}

function parseArgs(argv: string[]): Args {
  const a: Args = { scans: 3, oracleScans: 8, model: 'models/leukoscan-lite.onnx', oracleOnly: false, fps: 5, duration: 36, seed: 1, noNormalise: false };
  for (let i = 0; i < argv.length; i++) {
    const k = argv[i];
    const v = () => {
      const x = argv[++i];
      if (x === undefined) throw new Error(`${k} needs a value`);
      return x;
    };
    if (k === '--scans') a.scans = Number(v());
    else if (k === '--oracle-scans') a.oracleScans = Number(v());
    else if (k === '--model') a.model = v();
    else if (k === '--oracle-only') a.oracleOnly = true;
    else if (k === '--fps') a.fps = Number(v());
    else if (k === '--duration') a.duration = Number(v());
    else if (k === '--json') a.json = v();
    else if (k === '--data') a.data = v();
    else if (k === '--seed') a.seed = Number(v());
    else if (k === '--score-threshold') a.scoreThreshold = Number(v());
    else if (k === '--min-mean-score') a.minMeanScore = Number(v());
    else if (k === '--typer') a.typer = argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? v() : true;
    else if (k === '--no-typer') a.typer = false;
    else if (k === '--no-normalise') a.noNormalise = true;
    else if (k === '--device') a.device = v();
    else if (k === '--calibration') {
      const c = v();
      if (c !== 'auto' && c !== 'off') throw new Error(`--calibration: auto or off, not ${c}`);
      a.calibration = c;
    }
    else if (k === '--precision') {
      const p = v();
      if (!(PRECISIONS as readonly string[]).includes(p)) throw new Error(`--precision: ${PRECISIONS.join(', ')}, not ${p}`);
      a.precision = p as Precision;
    }
    else if (k === '--colour-mode') {
      const m = v();
      if (m !== 'wb' && m !== 'lab' && m !== 'wb+lab') throw new Error(`--colour-mode: wb, lab or wb+lab, not ${m}`);
      a.colourMode = m;
    }
    else throw new Error(`unknown argument ${k}`);
  }
  return a;
}

/** A card for the oracle: it only names the classes (colour normalisation is off for it). */
const ORACLE_CARD = { name: 'oracle', classes: [...MODEL_CLASSES] } as unknown as ModelCard;

function oracleDetector(scan: SimulatedScan, device: DeviceSpec | null): Pick<Detector, 'detect' | 'card'> {
  return {
    card: ORACLE_CARD,
    detect: async (frame) => oracleFor(scan, frame, device),
  };
}

function origins(scan: SimulatedScan, run: CountRunResult): Map<number, { x: number; y: number }> {
  const out = new Map<number, { x: number; y: number }>();
  for (const [segment, seq] of run.segmentStarts) out.set(segment, { x: scan.groundTruth.path[seq].x, y: scan.groundTruth.path[seq].y });
  return out;
}

interface Row {
  detector: string;
  scan: string;
  score: ScanScore;
  summary: ScoreSummary;
  frames: CountRunResult['frames'];
  seconds: number;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

function printTable(rows: Row[]): void {
  const head = ['detector', 'scan', 'frames', 's', 'expected', 'unseen', 'found', 'recall', 'counted', 'correct', 'double', 'false', 'ignored', 'precision', 'dbl rate', 'total err', 'diff err', 'type acc'];
  const lines = rows.map((r) => [
    r.detector,
    r.scan,
    String(r.frames.detected),
    r.seconds.toFixed(0),
    String(r.score.expected),
    String(r.score.unseen),
    String(r.score.found),
    pct(r.summary.recall),
    String(r.summary.countedTotal),
    String(r.score.correct),
    String(r.score.doubleCounts),
    String(r.score.falseCounts),
    String(r.score.ignoredCounts),
    pct(r.summary.precision),
    pct(r.summary.doubleCountRate),
    `${r.summary.totalErrorPercent >= 0 ? '+' : ''}${r.summary.totalErrorPercent.toFixed(1)}%`,
    `${r.summary.differentialErrorPoints.toFixed(1)} pt`,
    pct(r.summary.typeAccuracy),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padStart(widths[i])).join('  ');
  console.log(fmt(head));
  for (const l of lines) console.log(fmt(l));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const root = dataRoot(args.data);
  const device = args.device ? deviceByName(args.device) : null;
  const m = device?.magnification ?? 1;
  const scanOptions = device ? deviceScanOptions(device, SCAN_DEFAULTS) : SCAN_DEFAULTS;
  const seeds = Array.from({ length: Math.max(args.scans, args.oracleScans) }, (_, i) => args.seed + i);
  const scans: SimulatedScan[] = [];
  for (const seed of seeds) {
    // even seeds end with a jump to the far corner (already scanned): relocalisation must rejoin the map
    scans.push(await buildScan({ ...scanOptions, dataRoot: root, seed, fps: args.fps, durationS: args.duration, path: { jumpAtEnd: seed % 2 === 0 } }));
  }
  const rows: Row[] = [];
  const runAll = async (name: string, count: number, runScan: (scan: SimulatedScan, i: number) => Promise<CountRunResult>) => {
    const scores: ScanScore[] = [];
    const frames = { read: 0, detected: 0, skipped: 0 };
    let seconds = 0;
    for (const [i, scan] of scans.slice(0, count).entries()) {
      const t0 = performance.now();
      const run = await runScan(scan, i);
      const s = (performance.now() - t0) / 1000;
      const score = scoreScan(scan.groundTruth, device ? cellsToMosaicScale(run.cells, m) : run.cells, origins(scan, run));
      const segs = run.segmentStarts.size;
      const jump = scan.groundTruth.path.some((p) => p.phase === 'jump') ? '+jump' : '';
      rows.push({ detector: name, scan: `seed ${seeds[i]}${jump}${segs > 1 ? ` (${segs} seg)` : ''}`, score, summary: summarise(score), frames: run.frames, seconds: s });
      scores.push(score);
      frames.read += run.frames.read;
      frames.detected += run.frames.detected;
      frames.skipped += run.frames.skipped;
      seconds += s;
      process.stderr.write(`${name} seed ${seeds[i]}: ${run.frames.detected} frames in ${s.toFixed(1)} s\n`);
    }
    const total = sumScores(scores);
    rows.push({ detector: name, scan: 'all', score: total, summary: summarise(total), frames, seconds });
    return total;
  };

  const modelTrack = {
    registry: args.scoreThreshold !== undefined ? { minScore: args.scoreThreshold } : {},
    count: args.minMeanScore !== undefined ? { minMeanScore: args.minMeanScore } : {},
  };
  const colour = args.colourMode ? { mode: args.colourMode } : {};
  const everyFrame = (detector: (scan: SimulatedScan) => Pick<Detector, 'detect' | 'card'>, normalise: boolean, track = {}) => (scan: SimulatedScan, i: number) =>
    runCountEveryFrame({ frames: scanFrames(scan, device), sourceLabel: `sim:seed=${seeds[i]}`, detector: detector(scan), normalise: normalise ? colour : false, track });
  const oracle = await runAll('oracle', args.oracleScans, everyFrame((scan) => oracleDetector(scan, device), false));
  const sparse = await runAll('oracle 1/4', args.oracleScans, (scan) => runOracleSparse(scan, 4, device));
  let model: ScanScore | null = null;
  let modelNote = '';
  if (!args.oracleOnly) {
    if (!existsSync(args.model)) {
      modelNote = `model ${args.model} not found: shipped-model rows skipped`;
    } else {
      const detector = await OnnxDetector.create({
        modelPath: args.model,
        device: 'cpu',
        ...(args.precision ? { precision: args.precision } : {}),
        typerPath: typerPathOption(args.typer, args.model),
        ...(args.scoreThreshold !== undefined ? { scoreThreshold: args.scoreThreshold } : {}),
      });
      const calibration = args.calibration ?? (device ? 'auto' : 'off');
      const label = `model:${detector.card.name}` + (detector.typer ? `+${detector.typer.card.name}` : '') + (calibration === 'auto' ? ' cal' : '');
      try {
        model = await runAll(label, args.scans, async (scan, i) => {
          if (calibration === 'off') return everyFrame(() => detector, !args.noNormalise, modelTrack)(scan, i);
          // one calibrated detector per scan (a scan is one camera session), as `leukoscan count` builds it:
          // the live pipeline shows the calibrator the captured frames and its colour stage applies the transform
          // around a view of the shared detector that it may not release: releasing `d` ends only its calibrator
          const shared: Detector = { card: detector.card, provider: detector.provider, detect: (f) => detector.detect(f), release: async () => {} };
          const d = await calibratedDetector(shared, { calibration: 'auto' }, LIVE_SOURCE);
          const run = await runCountEveryFrame({
            calibration: d.liveCalibration,
            frames: scanFrames(scan, device),
            sourceLabel: `sim:seed=${seeds[i]}`,
            detector: d,
            normalise: args.noNormalise ? false : colour,
            track: modelTrack,
          });
          process.stderr.write(`  seed ${seeds[i]}: ${describeCalibration(d.calibration, { calibration: 'auto' })}\n`);
          await d.release();
          return run;
        });
      } finally {
        await detector.release();
      }
    }
  }
  const seen = device ? `; seen through device ${device.name} (${device.description}): ${device.frame.width}x${device.frame.height} frames` : '';
  console.log(`\nCounting benchmark: ${args.oracleScans} simulated scans for the oracle, the first ${args.scans} for the model (BCCD test fields ${scanOptions.cols}x${scanOptions.rows}, view ${scanOptions.frameWidth}x${scanOptions.frameHeight} mosaic px, ${args.fps} fps, ${args.duration} s${seen})\n`);
  printTable(rows.filter((r) => r.frames.read > 0));
  console.log('\nPer-type counts: truth / counted (oracle, all its scans)' + (model ? '; truth / counted (model scans)' : ''));
  for (const t of LEUKOCYTE_TYPES) {
    const m = model ? `;  ${model.perType[t].truth} / ${model.perType[t].counted}` : '';
    console.log(`  ${t}: ${oracle.perType[t].truth} / ${oracle.perType[t].counted}${m}`);
  }
  console.log('\nTargets:');
  const o = summarise(oracle);
  if (args.oracleScans > 0) console.log(`  oracle: double counts 0 -> ${oracle.doubleCounts} ${oracle.doubleCounts === 0 ? 'PASS' : 'FAIL'}; recall >= 99% -> ${pct(o.recall)} ${o.recall >= 0.99 ? 'PASS' : 'FAIL'}`);
  // informational: with boxes on 1 frame in 4, fewer cells get the policy's minimum of full views
  if (args.oracleScans > 0) console.log(`  oracle 1/4 (no target; shows tracking at a low detector rate): double counts ${sparse.doubleCounts}, recall ${pct(summarise(sparse).recall)}`);
  if (model) {
    const m = summarise(model);
    const okTotal = Math.abs(m.totalErrorPercent) <= 5;
    const okDiff = m.differentialErrorPoints <= 5;
    console.log(`  model: total within +-5% -> ${m.totalErrorPercent.toFixed(1)}% ${okTotal ? 'PASS' : 'FAIL'}; differential error <= 5 pt -> ${m.differentialErrorPoints.toFixed(1)} pt ${okDiff ? 'PASS' : 'FAIL'}`);
  } else {
    console.log(`  model: ${modelNote || 'skipped (--oracle-only)'}`);
  }
  if (args.json) {
    await writeFile(args.json, JSON.stringify({ args, rows: rows.map((r) => ({ ...r })) }, null, 2));
  }
}

main().catch((err) => {
  console.error(`bench/count: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
});
