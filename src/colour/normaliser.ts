import type { Frame } from '../core/frame.js';
import { type ColourNormaliseConfig, DEFAULT_COLOUR_CONFIG } from './config.js';
import { type ColourCalibration, type ColourReference, computeCalibration, whiteBalanceGains } from './calibration.js';
import { type ColourLut, type FastColourLut, applyColourLut, applyFastColourLut, buildColourLut, buildFastColourLut } from './lut.js';
import { type LabStats, type Vec3, measureBackgroundRgb, measureLabStats } from './stats.js';

export interface ColourNormaliserState {
  /** Frames seen. */
  readonly frames: number;
  /** Statistics measurements folded in so far. */
  readonly measurements: number;
  readonly background: Vec3 | null;
  readonly lab: LabStats | null;
  readonly calibration: ColourCalibration | null;
}

const mix = (a: Vec3, b: Vec3, w: number): Vec3 => [a[0] + (b[0] - a[0]) * w, a[1] + (b[1] - a[1]) * w, a[2] + (b[2] - a[2]) * w];

/**
 * Calibrates a source to the model's colour reference and applies the correction.
 * Statistics: every frame during warm-up (equal-weight running mean), then one frame
 * in `refreshEvery` folded in with exponential smoothing `refreshAlpha`. Each new
 * calibration rebuilds the 3D LUT (and the dense table sampled from it); applying it is
 * one table read per pixel ('nearest') or a tetrahedral interpolation ('tetrahedral').
 */
export class ColourNormaliser {
  readonly config: ColourNormaliseConfig;
  private frames = 0;
  private measurements = 0;
  private background: Vec3 | null = null;
  private lab: LabStats | null = null;
  private calibration: ColourCalibration | null = null;
  private lut: ColourLut | null = null;
  private fastLut: FastColourLut | null = null;

  constructor(
    readonly reference: ColourReference,
    config: Partial<ColourNormaliseConfig> = {},
  ) {
    this.config = { ...DEFAULT_COLOUR_CONFIG, ...config };
  }

  get state(): ColourNormaliserState {
    return { frames: this.frames, measurements: this.measurements, background: this.background, lab: this.lab, calibration: this.calibration };
  }

  /** Folds one frame's statistics into the calibration (no pixels are changed). */
  observe(frame: Frame): void {
    const c = this.config;
    const n = this.measurements;
    const weight = n < c.warmupFrames ? 1 / (n + 1) : c.refreshAlpha;
    const bg = measureBackgroundRgb(frame, { stride: c.statsStride, backgroundFraction: c.backgroundFraction, highlightFraction: c.highlightFraction });
    this.background = this.background ? mix(this.background, bg, weight) : bg;
    const gains: Vec3 = c.mode === 'lab' ? [1, 1, 1] : whiteBalanceGains(this.background, this.reference.backgroundRgb, c.maxGain);
    const lab = measureLabStats(frame, c.statsStride, gains);
    this.lab = this.lab ? { mean: mix(this.lab.mean, lab.mean, weight), std: mix(this.lab.std, lab.std, weight) } : lab;
    this.measurements++;
    this.calibration = computeCalibration({ background: this.background, lab: this.lab }, this.reference, c);
    this.lut = buildColourLut(this.calibration, c.lutGrid);
    this.fastLut = c.lutLookup === 'nearest' ? buildFastColourLut(this.lut) : null;
  }

  /** Whether `process` would measure this frame (during warm-up, then every `refreshEvery`-th frame). */
  private shouldObserve(): boolean {
    if (this.measurements < this.config.warmupFrames) return true;
    return this.frames % this.config.refreshEvery === 0;
  }

  /** Updates the calibration when due, then returns the corrected frame (a new pixel buffer). */
  process(frame: Frame): Frame {
    if (this.shouldObserve()) this.observe(frame);
    this.frames++;
    return this.apply(frame);
  }

  /** Applies the current calibration without updating it. */
  apply(frame: Frame): Frame {
    if (!this.lut) return frame;
    const rgb = new Uint8Array(frame.rgb.length);
    if (this.fastLut) applyFastColourLut(this.fastLut, frame.rgb, rgb);
    else applyColourLut(this.lut, frame.rgb, rgb);
    return { ...frame, rgb };
  }
}
