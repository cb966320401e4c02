/**
 * The two ways bench/devices.ts runs a device: calibration off (today's pipeline: the colour
 * normaliser as the live pipeline configures it, then the detector) and on (CalibratedDetector in
 * auto mode with the calibration core's calibrator and colour transform). Each device gets a fresh
 * session: one camera, its frames in order, calibrating as the stream goes.
 */
import { calibratedDetector } from '../src/cli/calibration-options.js';
import type { ModelCard } from '../src/core/model-card.js';
import { AutoCalibrator, colourReferenceOf } from '../src/detect/auto-calibrator.js';
import type { DetectionsXyxyPixels } from '../src/core/detections.js';
import type { Frame } from '../src/core/frame.js';
import type { Detector } from '../src/detect/detector.js';
import { toCocoRecords } from '../src/detect/output-formats.js';
import { evaluateCoco, type GroundTruthBox } from '../src/eval/coco-eval.js';
import { recordsToDetections } from '../src/eval/predictions.js';
import { ColourNormaliser } from '../src/colour/normaliser.js';
import type { DeviceModeResult } from '../src/sim/devices/device-report.js';
import { MATCH_DEFAULTS, emptyTally, summariseTally, tallyFrame } from '../src/sim/devices/device-score.js';
import { median } from '../src/sim/devices/render-device.js';
import type { DeviceFrame } from '../src/sim/devices/types.js';

export interface DeviceSession {
  detect(frame: Frame): Promise<DetectionsXyxyPixels>;
  /** The RBC diameter (frame px) the calibration uses now; null off or before an estimate. */
  scalePx(): number | null;
  /** The last frame's tile plan, for the table's notes. */
  plan(): string | null;
}

export interface ModeRunner {
  readonly mode: 'off' | 'on';
  /** Why the mode cannot run here (its columns show n/a), else null. */
  readonly unavailable: string | null;
  start(): DeviceSession;
}

function offRunner(detector: Detector): ModeRunner {
  return {
    mode: 'off',
    unavailable: null,
    start() {
      const normaliser = new ColourNormaliser(detector.card.colourReference);
      return { detect: (frame) => detector.detect(normaliser.process(frame)), scalePx: () => null, plan: () => null };
    },
  };
}

/**
 * Calibration on, as `leukoscan detect --calibration auto` builds it (src/cli/calibration-options.ts,
 * perImage): a CalibratedDetector around the same detector that calibrates each frame by itself
 * (scale, field of view, colour), resamples or tiles it to the model's scale and applies the
 * calibration's colour transform, which replaces the pipeline's white balance. Image by image,
 * because a device's frames here are separate views of the slide, not a video (and so it is
 * deterministic); the live pipeline pools the first frames instead (bench:count --device).
 */
function onRunner(detector: Detector, stain: boolean): ModeRunner {
  // stain false: the colour fit without its Reinhard step (a reference with no cell statistics: white balance only)
  const autoCalibrator = stain ? undefined : (card: ModelCard) => new AutoCalibrator({ reference: { backgroundRgb: colourReferenceOf(card).backgroundRgb }, perImage: true });
  return {
    mode: 'on',
    unavailable: null,
    start() {
      let calibrated: Awaited<ReturnType<typeof calibratedDetector>> | null = null;
      const ready = calibratedDetector(detector, { calibration: 'auto' }, { perImage: true, ...(autoCalibrator ? { autoCalibrator } : {}) }).then((d) => (calibrated = d));
      return {
        detect: async (frame) => (await ready).detect(frame),
        scalePx: () => calibrated?.calibration.scale?.rbcDiameterPx ?? null,
        plan: () => {
          const p = calibrated?.calibration.plan;
          return p ? `${p.mode} ${p.cols}x${p.rows} = ${p.tiles} tile${p.tiles === 1 ? '' : 's'}, factor ${p.factor.toFixed(2)}` : null;
        },
      };
    },
  };
}

/** The runners for the modes asked for. */
export async function calibrationModes(detector: Detector, modes: readonly ('off' | 'on')[], opts: { stain: boolean } = { stain: true }): Promise<ModeRunner[]> {
  return modes.map((m) => (m === 'off' ? offRunner(detector) : onRunner(detector, opts.stain)));
}

const NOT_RUN = (mode: 'off' | 'on', reason: string): DeviceModeResult => ({ mode, summary: null, reason, wbcAp50: Number.NaN, wbcAp: Number.NaN, scaleErrorPercent: null, scaleEstimates: 0, msPerFrame: Number.NaN, confusion: null, plan: null });

/** Runs one device's frames through one mode: the tally, COCO WBC AP50, the scale error, wall ms per frame. */
export async function runDeviceMode(runner: ModeRunner, frames: readonly DeviceFrame[], minScore: number): Promise<DeviceModeResult> {
  if (runner.unavailable !== null) return NOT_RUN(runner.mode, runner.unavailable);
  const session = runner.start();
  const tally = emptyTally();
  const records = [];
  const groundTruth: GroundTruthBox[] = [];
  const scaleErrors: number[] = [];
  let scaleEstimates = 0;
  let ms = 0;
  for (const [i, f] of frames.entries()) {
    const t = performance.now();
    const det = await session.detect(f.frame);
    ms += performance.now() - t;
    tallyFrame(tally, f.cells, det, { ...MATCH_DEFAULTS, minScore });
    const imageId = `f${i}`;
    records.push(...toCocoRecords(`${imageId}.png`, det));
    for (const c of f.cells) groundTruth.push({ imageId, category: 'WBC', bbox: [c.box.x1, c.box.y1, c.box.x2 - c.box.x1, c.box.y2 - c.box.y1], iscrowd: c.ignore });
    const est = session.scalePx();
    if (est !== null) scaleEstimates++;
    if (est !== null && f.rbcDiameterPx !== null) scaleErrors.push((100 * (est - f.rbcDiameterPx)) / f.rbcDiameterPx);
  }
  const wbc = recordsToDetections(records, { mergeWbc: true }).filter((d) => d.category === 'WBC');
  const coco = evaluateCoco({ imageIds: frames.map((_, i) => `f${i}`), categories: ['WBC'], groundTruth }, wbc);
  const w = coco.perCategory.find((c) => c.category === 'WBC');
  return {
    mode: runner.mode,
    summary: summariseTally(tally),
    reason: null,
    wbcAp50: w && w.AP50 >= 0 ? w.AP50 : Number.NaN,
    wbcAp: w && w.AP >= 0 ? w.AP : Number.NaN,
    scaleErrorPercent: scaleErrors.length > 0 ? { median: median(scaleErrors)!, maxAbs: Math.max(...scaleErrors.map(Math.abs)), frames: scaleErrors.length } : null,
    scaleEstimates,
    msPerFrame: ms / Math.max(1, frames.length),
    confusion: tally.confusion,
    plan: session.plan(),
  };
}
