/**
 * The two ways bench/devices.ts runs a device: calibration off (today's pipeline: the colour
 * normaliser as the live pipeline configures it, then the detector) and on (CalibratedDetector in
 * auto mode with the calibration core's calibrator and colour transform). Each device gets a fresh
 * session: one camera, its frames in order, calibrating as the stream goes.
 */
import type { DetectionsXyxyPixels } from '../src/core/detections.js';
import type { Frame } from '../src/core/frame.js';
import type { Detector } from '../src/detect/detector.js';
import { toCocoRecords } from '../src/detect/output-formats.js';
import { evaluateCoco, type GroundTruthBox } from '../src/eval/coco-eval.js';
import { recordsToDetections } from '../src/eval/predictions.js';
import { ColourNormaliser } from '../src/pipeline/colour/normaliser.js';
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

/** The runners for the modes asked for; `on` is built from the calibration modules where they exist. */
export async function calibrationModes(detector: Detector, modes: readonly ('off' | 'on')[]): Promise<ModeRunner[]> {
  const out: ModeRunner[] = [];
  for (const m of modes) {
    if (m === 'off') out.push(offRunner(detector));
    else out.push({ mode: 'on', unavailable: "the calibration core's Calibrator is not in this worktree yet", start: () => { throw new Error('calibration on is unavailable'); } });
  }
  return out;
}

const NOT_RUN = (mode: 'off' | 'on', reason: string): DeviceModeResult => ({ mode, summary: null, reason, wbcAp50: Number.NaN, wbcAp: Number.NaN, scaleErrorPercent: null, msPerFrame: Number.NaN, confusion: null, plan: null });

/** Runs one device's frames through one mode: the tally, COCO WBC AP50, the scale error, wall ms per frame. */
export async function runDeviceMode(runner: ModeRunner, frames: readonly DeviceFrame[], minScore: number): Promise<DeviceModeResult> {
  if (runner.unavailable !== null) return NOT_RUN(runner.mode, runner.unavailable);
  const session = runner.start();
  const tally = emptyTally();
  const records = [];
  const groundTruth: GroundTruthBox[] = [];
  const scaleErrors: number[] = [];
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
    msPerFrame: ms / Math.max(1, frames.length),
    confusion: tally.confusion,
    plan: session.plan(),
  };
}
