/**
 * Colour normalisation benchmark: BCCD-3 test AP (72 images, RBC / WBC / Platelets with
 * the leukocyte types merged into WBC) under simulated device profiles, without and with
 * src/pipeline colour normalisation, using the real detector and the COCO evaluator.
 *
 *   npx tsx bench/colour.ts [--model models/leukoscan-lite.onnx] [--data DIR] [--device cpu]
 *       [--profiles reference,tungsten,...|all] [--modes none,wb,wb+lab[,lab]] [--limit N]
 *       [--threads N] [--json out.json] [--delta-e-only]
 *
 * --delta-e-only skips the detector and reports only how close colours come back to the
 * originals (mean ΔE), which is quick and does not depend on the model's quality.
 *
 * The normaliser runs as it does live: frames in test.txt order are one stream, it
 * calibrates over the first frames and then refreshes slowly.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Frame } from '../src/core/frame.js';
import { OnnxDetector } from '../src/detect/onnx-detector.js';
import { decodeImageFile } from '../src/detect/image-decode.js';
import { toCocoRecords } from '../src/detect/output-formats.js';
import type { CocoDetectionRecord } from '../src/detect/output-formats.js';
import { readAnnotations, readSplit } from '../src/eval/annotations/index.js';
import { mergeWbc } from '../src/eval/category-names.js';
import { type CocoSummary, evaluateCoco } from '../src/eval/coco-eval.js';
import { EVAL_SCORE_THRESHOLD } from '../src/eval/config.js';
import { recordsToDetections } from '../src/eval/predictions.js';
import { DEVICE_PROFILES, type DeviceProfile, applyDeviceProfile } from '../src/colour/device-profiles.js';
import { srgbToLab } from '../src/colour/lab.js';
import { ColourNormaliser } from '../src/colour/normaliser.js';
import type { ColourNormaliseConfig } from '../src/pipeline/config.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const DEFAULT_PROFILES = ['reference', 'tungsten', 'led-blue', 'dark-gamma', 'washed', 'yellow-bg', 'blue-bg'];
type Mode = 'none' | ColourNormaliseConfig['mode'];
const MODES: readonly Mode[] = ['none', 'wb', 'lab', 'wb+lab'];

const { values: args } = parseArgs({
  options: {
    model: { type: 'string', default: join(REPO, 'models/leukoscan-lite.onnx') },
    data: { type: 'string', default: process.env.LEUKOSCAN_DATA ?? join(REPO, '../shared/data') },
    device: { type: 'string', default: 'cpu' },
    profiles: { type: 'string', default: DEFAULT_PROFILES.join(',') },
    modes: { type: 'string', default: 'none,wb,wb+lab' },
    limit: { type: 'string' },
    threads: { type: 'string' },
    json: { type: 'string' },
    'delta-e-only': { type: 'boolean', default: false },
  },
});

function fail(message: string): never {
  process.stderr.write(`bench/colour: ${message}\n`);
  process.exit(1);
}

const bccd = join(args.data!, 'bccd');
if (!existsSync(join(bccd, 'ImageSets/Main/test.txt'))) fail(`BCCD not found at ${bccd} (set --data or LEUKOSCAN_DATA)`);
const profiles: DeviceProfile[] =
  args.profiles === 'all'
    ? [...DEVICE_PROFILES]
    : args.profiles!.split(',').map((n) => DEVICE_PROFILES.find((p) => p.name === n) ?? fail(`unknown profile '${n}'; one of ${DEVICE_PROFILES.map((p) => p.name).join(', ')}`));
const modes = args.modes!.split(',').map((m) => (MODES.includes(m as Mode) ? (m as Mode) : fail(`unknown mode '${m}'; one of ${MODES.join(', ')}`)));

let ids = await readSplit(join(bccd, 'ImageSets/Main/test.txt'));
if (args.limit) ids = ids.slice(0, Number(args.limit));
const set = await readAnnotations(bccd, join(bccd, 'JPEGImages'), ids);
const categories = [...new Set(set.categories.map(mergeWbc))];
const groundTruth = set.boxes.map((b) => ({ ...b, category: mergeWbc(b.category) }));
const entries = [...set.images.entries()];
const frames: Frame[] = [];
for (const [i, [, file]] of entries.entries()) frames.push(await decodeImageFile(join(bccd, 'JPEGImages', file), i));

const detector = await OnnxDetector.create({
  modelPath: args.model!,
  device: args.device as 'cpu' | 'cuda' | 'auto',
  scoreThreshold: EVAL_SCORE_THRESHOLD,
  intraOpThreads: args.threads ? Number(args.threads) : undefined,
});
process.stderr.write(`bench/colour: ${frames.length} images, ${groundTruth.length} boxes; model ${detector.describe()}; reference ${JSON.stringify(detector.card.colourReference)}\n`);

/** CPU time (this thread) per call, ms: robust to other processes on the machine, unlike wall time. */
function cpuMs(fn: () => void, k: number): { cpu: number; wall: number } {
  const c = process.cpuUsage();
  const t = performance.now();
  for (let i = 0; i < k; i++) fn();
  const d = process.cpuUsage(c);
  return { cpu: (d.user + d.system) / 1000 / k, wall: (performance.now() - t) / k };
}

// Cost of normalisation at 640x480 on one core: calibration step, LUT apply, and a 30 fps stream on average.
const costFrame = frames[0];
const costNormaliser = new ColourNormaliser(detector.card.colourReference);
const cost = {
  observe: cpuMs(() => costNormaliser.observe(costFrame), 10),
  apply: cpuMs(() => costNormaliser.apply(costFrame), 60),
  stream: (() => {
    const n = new ColourNormaliser(detector.card.colourReference);
    return cpuMs(() => n.process(costFrame), 300);
  })(),
};

interface Row {
  profile: string;
  mode: Mode;
  summary: CocoSummary;
  normaliseMsPerFrame: number;
  /** Mean CIE76 colour difference to the original images (every 4th pixel in x and y). */
  deltaE: number;
}

/** Mean ΔE*ab between two sets of frames of the same images: how far colours are from the original. */
function meanDeltaE(a: Frame[], b: Frame[]): number {
  const la = [0, 0, 0];
  const lb = [0, 0, 0];
  let sum = 0;
  let n = 0;
  for (let k = 0; k < a.length; k++) {
    const { width, height } = a[k];
    for (let y = 0; y < height; y += 4) {
      for (let x = 0; x < width; x += 4) {
        const i = (y * width + x) * 3;
        srgbToLab(a[k].rgb[i], a[k].rgb[i + 1], a[k].rgb[i + 2], la);
        srgbToLab(b[k].rgb[i], b[k].rgb[i + 1], b[k].rgb[i + 2], lb);
        sum += Math.hypot(la[0] - lb[0], la[1] - lb[1], la[2] - lb[2]);
        n++;
      }
    }
  }
  return sum / n;
}

const NO_SUMMARY: CocoSummary = { AP: Number.NaN, AP50: Number.NaN, AP75: Number.NaN, APs: Number.NaN, APm: Number.NaN, APl: Number.NaN, AR: Number.NaN, perCategory: [] } as unknown as CocoSummary;

async function evaluate(input: Frame[]): Promise<CocoSummary> {
  if (args['delta-e-only']) return NO_SUMMARY;
  const records: CocoDetectionRecord[] = [];
  for (let i = 0; i < input.length; i++) records.push(...toCocoRecords(entries[i][1], await detector.detect(input[i])));
  return evaluateCoco({ imageIds: entries.map(([id]) => id), categories, groundTruth }, recordsToDetections(records, { mergeWbc: true }));
}

const rows: Row[] = [];
const t0 = Date.now();
const passes = profiles.length * modes.length;
try {
  for (const profile of profiles) {
    const degraded = frames.map((f) => applyDeviceProfile(f, profile));
    for (const mode of modes) {
      let input = degraded;
      let normaliseMs = 0;
      if (mode !== 'none') {
        const normaliser = new ColourNormaliser(detector.card.colourReference, { mode });
        const t = performance.now();
        input = degraded.map((f) => normaliser.process(f));
        normaliseMs = (performance.now() - t) / degraded.length;
      }
      const summary = await evaluate(input);
      rows.push({ profile: profile.name, mode, summary, normaliseMsPerFrame: normaliseMs, deltaE: meanDeltaE(input, frames) });
      const done = rows.length;
      const eta = ((Date.now() - t0) / done) * (passes - done);
      process.stderr.write(
        `  ${profile.name.padEnd(12)} ${mode.padEnd(7)} AP ${summary.AP.toFixed(1).padStart(5)} AP50 ${summary.AP50.toFixed(1).padStart(5)} ΔE ${rows.at(-1)!.deltaE.toFixed(1).padStart(5)}  (${done}/${passes}, ETA ${(eta / 60000).toFixed(1)} min)\n`,
      );
    }
  }
} finally {
  await detector.release();
}

// Table: one line per profile, AP per mode, and how much of the AP lost to the profile came back.
const ap = (profile: string, mode: Mode) => rows.find((r) => r.profile === profile && r.mode === mode)?.summary;
const refNone = ap('reference', 'none');
const cls = (s: CocoSummary | undefined, c: string) => s?.perCategory.find((p) => p.category === c)?.AP ?? Number.NaN;
const f1 = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? '  -  ' : v.toFixed(1).padStart(5));
const header = ['profile'.padEnd(12), ...modes.map((m) => `AP ${m}`.padStart(11)), ...modes.map((m) => `AP50 ${m}`.padStart(13)), ...modes.map((m) => `ΔE ${m}`.padStart(11)), 'WBC none', 'WBC norm', 'recovered'];
const lines = [header.join(' ')];
const best = modes.filter((m) => m !== 'none').at(-1);
const recovered: number[] = [];
for (const p of profiles) {
  const none = ap(p.name, 'none');
  const norm = best ? ap(p.name, best) : undefined;
  let rec = '   -';
  if (refNone && none && norm && p.name !== 'reference' && !args['delta-e-only']) {
    const lost = refNone.AP - none.AP;
    if (lost > 0.5) {
      const r = (norm.AP - none.AP) / lost;
      recovered.push(r);
      rec = `${(r * 100).toFixed(0).padStart(4)}%`;
    } else rec = ' (no loss)';
  }
  lines.push(
    [
      p.name.padEnd(12),
      ...modes.map((m) => f1(ap(p.name, m)?.AP).padStart(11)),
      ...modes.map((m) => f1(ap(p.name, m)?.AP50).padStart(13)),
      ...modes.map((m) => f1(rows.find((r) => r.profile === p.name && r.mode === m)?.deltaE).padStart(11)),
      f1(cls(none, 'WBC')).padStart(8),
      f1(cls(norm, 'WBC')).padStart(8),
      rec.padStart(9),
    ].join(' '),
  );
}
const degradedRows = profiles.filter((p) => p.name !== 'reference');
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const meanAp = (m: Mode) => mean(degradedRows.map((p) => ap(p.name, m)?.AP ?? Number.NaN));
const normMs = mean(rows.filter((r) => r.mode !== 'none').map((r) => r.normaliseMsPerFrame));
process.stdout.write(
  [
    `Colour normalisation on BCCD-3 test (${frames.length} images; COCO AP@[.50:.95] %, leukocyte types merged into WBC)`,
    `model ${args.model} (${detector.card.name}), detector ${detector.provider.name}; normalisation = ${best ?? 'none'} to the card's colourReference`,
    '',
    ...lines,
    '',
    args['delta-e-only'] ? '(--delta-e-only: no detection, AP not measured)' : `mean AP over ${degradedRows.length} degraded profiles: ${modes.map((m) => `${m} ${meanAp(m).toFixed(1)}`).join(', ')}${refNone ? `; reference ${refNone.AP.toFixed(1)}` : ''}`,
    recovered.length > 0 ? `AP lost to the profiles that normalisation recovered: mean ${(mean(recovered) * 100).toFixed(0)}% over ${recovered.length} profiles with a loss` : '',
    'ΔE: mean CIE76 colour difference to the original images (lower is closer; under ~2-3 is hard to see).',
    `normalise cost at ${costFrame.width}x${costFrame.height}, CPU ms on one core (wall ms on this machine): calibration step ${cost.observe.cpu.toFixed(1)} (${cost.observe.wall.toFixed(1)}), LUT apply ${cost.apply.cpu.toFixed(1)} (${cost.apply.wall.toFixed(1)}), stream average over 300 frames incl. warm-up and refresh ${cost.stream.cpu.toFixed(1)} (${cost.stream.wall.toFixed(1)}) -> ${(cost.stream.cpu * 30 / 10).toFixed(0)}% of one core at 30 fps`,
    `normalise wall time per image in the passes above (incl. warm-up): ${normMs.toFixed(1)} ms`,
    `profiles: ${profiles.map((p) => `${p.name} = ${p.description}`).join('; ')}`,
    '',
  ].join('\n'),
);
if (args.json) await writeFile(args.json, JSON.stringify({ model: args.model, images: frames.length, rows: rows.map((r) => ({ ...r, summary: { AP: r.summary.AP, AP50: r.summary.AP50, AP75: r.summary.AP75, perCategory: r.summary.perCategory } })) }, null, 2));
