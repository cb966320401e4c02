/**
 * What a calibrated detector knows about the camera, and what it needs of the calibration core
 * (src/calibration) in `auto` mode. Types only, plus the model's training scale.
 */
import { BCCD_FRAME_WIDTH_PX, BCCD_RBC_DIAMETER_PX } from '../core/bccd-scale.js';
import type { Frame } from '../core/frame.js';
import type { ModelCard } from '../core/model-card.js';
import type { ColourTransform, FieldMask, ScaleEstimate, TrainingScale } from '../calibration/types.js';
import { RBC_DIAMETER_UM } from '../calibration/types.js';

/**
 * - 'auto': calibrated from the frames themselves (the calibration core's Calibrator);
 * - 'off': today's behaviour exactly (no resample, no tiles, no mask, no colour);
 * - 'profile': a fixed device profile (`--profile FILE`);
 * The scale of any of the first and last can be overridden (`--um-per-px X`).
 */
export type CalibrationModeName = 'auto' | 'off' | 'profile';

/**
 * - 'calibrating': no scale yet (frames go through as today);
 * - 'calibrated': a scale in use, refined as frames come;
 * - 'held': the last good calibration is kept (e.g. no red cells in the last frames);
 * - 'fixed': from a profile or an override, never changed;
 * - 'off'.
 */
export type CalibrationStatus = 'off' | 'calibrating' | 'calibrated' | 'held' | 'fixed';

/** The calibration one moment, as the calibration source reports it. */
export interface CalibrationReading {
  readonly status: CalibrationStatus;
  readonly scale: ScaleEstimate | null;
  readonly field: FieldMask;
  readonly colour: ColourTransform | null;
  /** Why it is held or refused ("no red cells in the last frames"), else null. */
  readonly message: string | null;
}

/** What `auto` mode needs of the calibration core: frames in, the current reading out. */
export interface FrameCalibrator {
  /** Feeds one frame (may be slow: the caller decides how often). */
  observe(frame: Frame): void;
  readonly current: CalibrationReading;
  /** Forgets everything: calibration starts again from the next frame (operator "recalibrate"). */
  reset(): void;
  /** Ends what it holds (a worker thread). Optional. */
  release?(): Promise<void>;
}

/** The calibrated detector's state, for logs, the CLI and the dashboard. */
export interface DetectorCalibration extends CalibrationReading {
  readonly mode: CalibrationModeName;
  /** True when the scale came from `--um-per-px`. */
  readonly scaleOverridden: boolean;
  /** The last frame's plan: tiles, grid and factor (model-input px per frame px); null before the first frame. */
  readonly plan: { readonly mode: 'stretch' | 'resample'; readonly tiles: number; readonly cols: number; readonly rows: number; readonly factor: number } | null;
}

/** A scale from `--um-per-px X`. */
export function scaleFromUmPerPx(umPerPx: number): ScaleEstimate {
  if (!(umPerPx > 0) || !Number.isFinite(umPerPx)) throw new RangeError(`µm per pixel must be a positive number, got ${umPerPx}`);
  return { rbcDiameterPx: RBC_DIAMETER_UM / umPerPx, umPerPx, rbcCount: 0, confidence: 1, method: 'override' };
}

/**
 * Used while a card has no `trainingScale` (cards exported before issue 21): BCCD's annotated
 * median red cell, 102 px in a 640x480 frame, stretched to leukoscan-lite's 512x384 input.
 */
export const FALLBACK_TRAINING_SCALE: TrainingScale = {
  rbcDiameterPx: BCCD_RBC_DIAMETER_PX * (512 / BCCD_FRAME_WIDTH_PX),
  source: 'fallback: BCCD annotated median red cell (102 px at 640x480) stretched to 512x384; the card has no trainingScale',
};

/** The card's training scale, or the BCCD fallback scaled to the card's input width. */
export function trainingScaleOf(card: Pick<ModelCard, 'input'> & { trainingScale?: unknown }): TrainingScale {
  const t = card.trainingScale as Partial<TrainingScale> | undefined;
  if (t !== undefined && typeof t.rbcDiameterPx === 'number' && t.rbcDiameterPx > 0) return { rbcDiameterPx: t.rbcDiameterPx, source: String(t.source ?? '') };
  return { ...FALLBACK_TRAINING_SCALE, rbcDiameterPx: (BCCD_RBC_DIAMETER_PX * card.input.width) / BCCD_FRAME_WIDTH_PX };
}
