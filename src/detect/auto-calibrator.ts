/**
 * The `auto` calibration source: the calibration core's scale estimator (src/pipeline/calibration)
 * fed with frames, refined over the first good ones and then held. A frame with no red cells (a
 * test pattern, a black frame) never moves the scale: the last good calibration is kept and the
 * reason shown ("held (cannot estimate scale: no red cells found …)").
 */
import type { Frame } from '../core/frame.js';
import { estimateScale } from '../pipeline/calibration/scale.js';
import type { ScaleEstimate, ScaleResult } from '../pipeline/calibration/types.js';
import type { CalibrationReading, FrameCalibrator } from './calibration-state.js';

export interface AutoCalibratorConfig {
  /** Good estimates combined (median diameter) before the scale is held. */
  readonly refineFrames: number;
}

export const AUTO_CALIBRATOR_DEFAULTS: AutoCalibratorConfig = { refineFrames: 5 };

export type ScaleEstimator = (frame: Frame) => ScaleResult;

const fromFrame: ScaleEstimator = (f) => estimateScale(f.rgb, f.width, f.height);

/** Median of the diameters, with the counts summed and the mean confidence. */
export function combineEstimates(es: readonly ScaleEstimate[]): ScaleEstimate {
  const d = es.map((e) => e.rbcDiameterPx).sort((a, b) => a - b);
  const m = d.length >> 1;
  const rbcDiameterPx = d.length % 2 === 1 ? d[m] : (d[m - 1] + d[m]) / 2;
  return {
    rbcDiameterPx,
    umPerPx: es[0].umPerPx * (es[0].rbcDiameterPx / rbcDiameterPx),
    rbcCount: es.reduce((t, e) => t + e.rbcCount, 0),
    confidence: es.reduce((t, e) => t + e.confidence, 0) / es.length,
    method: es[0].method,
  };
}

export class AutoCalibrator implements FrameCalibrator {
  #good: ScaleEstimate[] = [];
  #current: CalibrationReading = { status: 'calibrating', scale: null, field: { kind: 'full' }, colour: null, message: null };
  readonly #config: AutoCalibratorConfig;

  constructor(
    private readonly estimate: ScaleEstimator = fromFrame,
    config: Partial<AutoCalibratorConfig> = {},
  ) {
    this.#config = { ...AUTO_CALIBRATOR_DEFAULTS, ...config };
  }

  get current(): CalibrationReading {
    return this.#current;
  }

  observe(frame: Frame): void {
    if (this.#good.length >= this.#config.refineFrames) return; // refined: the scale is held from here on
    const r = this.estimate(frame);
    if (!r.ok) {
      const held = this.#current.scale !== null;
      this.#current = { ...this.#current, status: held ? 'held' : 'calibrating', message: held ? `held (${r.reason})` : r.reason };
      return;
    }
    this.#good.push(r.estimate);
    this.#current = { ...this.#current, status: 'calibrated', scale: combineEstimates(this.#good), message: null };
  }

  reset(): void {
    this.#good = [];
    this.#current = { status: 'calibrating', scale: null, field: { kind: 'full' }, colour: null, message: null };
  }
}
