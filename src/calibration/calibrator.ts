/**
 * The calibrator of one live source (pure, stateful): warms up over the first frames (medians of
 * the per-frame estimates), is refined every `refineEvery` frames as the scan goes on, then held.
 * Frames with no red cells leave the last good calibration in place and say why in `lastError`.
 * A fixed profile turns estimation off; a µm/px override fixes the scale only.
 */
import type { Frame } from '../core/frame.js';
import { combineColour, combineFields, combineScales } from './aggregate.js';
import { frameCells } from './cell-segmentation.js';
import { type CellColourReference, fitColourTransform } from './colour-fit.js';
import { DEFAULT_SCALE_CONFIG } from './config.js';
import { detectFieldMask } from './field-mask.js';
import { estimateScale } from './scale.js';
import { type ColourTransform, type DeviceProfile, type FieldMask, RBC_DIAMETER_UM, type ScaleEstimate } from './types.js';

export interface CalibratorOptions {
  /** Source name written into the profile (credentials redacted by the caller). */
  readonly camera: string;
  readonly reference: CellColourReference;
  /** A profile to use as is (no estimation). */
  readonly profile?: DeviceProfile;
  /** Fixed scale (µm per frame pixel); field and colour are still measured. */
  readonly umPerPx?: number;
  /** Frames measured to form the first calibration. */
  readonly warmupFrames?: number;
  /** After warm-up, one frame in this many is measured… */
  readonly refineEvery?: number;
  /** …until this many good scale estimates are pooled; then the calibration is held. */
  readonly holdAfter?: number;
  /** ISO clock for `createdAt` (injected for tests). */
  readonly now?: () => string;
}

export const DEFAULT_CALIBRATOR = { warmupFrames: 10, refineEvery: 30, holdAfter: 40 } as const;

/** Field and colour measurements kept (the most recent; a source that never shows red cells does not grow them). */
const MAX_KEPT = 64;

const pushBounded = <T>(list: T[], item: T): void => {
  list.push(item);
  if (list.length > MAX_KEPT) list.shift();
};

export type CalibrationStatus = 'calibrating' | 'calibrated' | 'held' | 'failed';

/** Small and serialisable: what the dashboard's Health tile and the pipeline read. */
export interface CalibrationState {
  readonly status: CalibrationStatus;
  /** Where the calibration comes from. */
  readonly source: 'estimated' | 'profile' | 'override';
  /** The current calibration, or null before the first good estimate. */
  readonly profile: DeviceProfile | null;
  /** Frames pushed since the last (re)start, and good scale estimates pooled. */
  readonly frames: number;
  readonly goodEstimates: number;
  /** Why the last measured frame gave no estimate (null when it did). */
  readonly lastError: string | null;
}

export class Calibrator {
  private readonly opts: Required<Omit<CalibratorOptions, 'profile' | 'umPerPx'>> & Pick<CalibratorOptions, 'profile' | 'umPerPx'>;
  private frames = 0;
  private measured = 0;
  private scales: ScaleEstimate[] = [];
  private fields: FieldMask[] = [];
  private colours: ColourTransform[] = [];
  private lastError: string | null = null;
  private size: { width: number; height: number } | null = null;
  private current: DeviceProfile | null = null;

  constructor(options: CalibratorOptions) {
    this.opts = { ...DEFAULT_CALIBRATOR, now: () => new Date().toISOString(), ...options };
    if (options.profile) this.current = options.profile;
  }

  get state(): CalibrationState {
    const source = this.opts.profile ? 'profile' : this.opts.umPerPx !== undefined ? 'override' : 'estimated';
    return { status: this.status(), source, profile: this.current, frames: this.frames, goodEstimates: this.scales.length, lastError: this.lastError };
  }

  /** Starts over (e.g. after the operator changed the objective). A fixed profile stays fixed. */
  recalibrate(): CalibrationState {
    this.frames = 0;
    this.measured = 0;
    this.scales = [];
    this.fields = [];
    this.colours = [];
    this.lastError = null;
    this.size = null;
    this.current = this.opts.profile ?? null;
    return this.state;
  }

  push(frame: Frame): CalibrationState {
    if (this.opts.profile) {
      this.frames++;
      const fs = this.opts.profile.frameSize;
      this.lastError = fs.width === frame.width && fs.height === frame.height ? null : `profile is for ${fs.width}x${fs.height} frames, got ${frame.width}x${frame.height}`;
      return this.state;
    }
    if (this.size && (this.size.width !== frame.width || this.size.height !== frame.height)) this.recalibrate();
    this.size = { width: frame.width, height: frame.height };
    const due = this.frames < this.opts.warmupFrames || (this.status() !== 'held' && this.frames % this.opts.refineEvery === 0);
    this.frames++;
    if (due) this.measure(frame);
    return this.state;
  }

  private status(): CalibrationStatus {
    if (this.opts.profile) return 'held';
    if (this.scales.length >= this.opts.holdAfter) return 'held';
    if (this.current) return 'calibrated';
    return this.frames >= this.opts.warmupFrames && this.measured >= this.opts.warmupFrames ? 'failed' : 'calibrating';
  }

  private measure(frame: Frame): void {
    this.measured++;
    const field = detectFieldMask(frame.rgb, frame.width, frame.height);
    pushBounded(this.fields, field);
    // The field rasterised and the cells segmented once, for the scale and the colour alike.
    const cells = frameCells(frame.rgb, frame.width, frame.height, field);
    if (this.opts.umPerPx === undefined) {
      const r = estimateScale(frame.rgb, frame.width, frame.height, field, DEFAULT_SCALE_CONFIG, cells);
      if (r.ok) {
        this.scales.push(r.estimate);
        this.lastError = null;
      } else this.lastError = r.reason;
      if (!r.ok) return; // keep the last good calibration
    }
    pushBounded(this.colours, fitColourTransform(frame.rgb, frame.width, frame.height, { field, reference: this.opts.reference, cells }));
    if (this.frames < this.opts.warmupFrames && this.current === null) return; // still warming up
    this.current = this.compose(frame);
  }

  private compose(frame: Frame): DeviceProfile {
    const scale =
      this.opts.umPerPx !== undefined
        ? { rbcDiameterPx: RBC_DIAMETER_UM / this.opts.umPerPx, umPerPx: this.opts.umPerPx, rbcCount: 0, confidence: 1, method: 'override' }
        : combineScales(this.scales, RBC_DIAMETER_UM);
    return {
      version: 1,
      createdAt: this.opts.now(),
      camera: this.opts.camera,
      frameSize: { width: frame.width, height: frame.height },
      frames: this.measured,
      scale,
      field: combineFields(this.fields),
      colour: combineColour(this.colours),
    };
  }
}
