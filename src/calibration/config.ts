/** Thresholds and sizes of the calibration estimators, with their defaults in one place. */

export interface ScaleConfig {
  /** Red-cell diameters (frame px, annotation-box convention) the estimator accepts. */
  readonly minDiameterPx: number;
  readonly maxDiameterPx: number;
  /** The coarse pass works on a frame whose longer side is about this many pixels. */
  readonly coarseLongSide: number;
  /** The fine pass resamples so that a red cell is about this many working pixels across. */
  readonly fineDiameterPx: number;
  /** Coarse pass: covariance lags up to this multiple of the largest diameter searched… */
  readonly maxLagOverDiameter: number;
  /** …fine pass: up to this multiple of the coarse estimate. */
  readonly fineMaxLagOverDiameter: number;
  /** RMS misfit of the disc model above which the objects are not taken for red cells. */
  readonly maxCovarianceResidual: number;
  /** The fine pass never works on more pixels than this (speed cap for large frames). */
  readonly maxWorkingPixels: number;
  /** Enclosed holes (central pallor) up to this fraction of the surrounding cell area are filled. */
  readonly holeFillFraction: number;
  /** Minimum optical-density contrast (sum over R, G, B) between cells and plasma. */
  readonly minContrastOd: number;
  /** Working-resolution contrast / full-resolution contrast below this: pixel noise, not cells. */
  readonly minContrastKept: number;
  /** Foreground fraction of the field outside this range (full and working resolution): no smear in view. */
  readonly minForegroundFraction: number;
  readonly maxForegroundFraction: number;
  /** Fewer red-cell-sized objects (Boolean model: lambda * field area) than this: refuse. */
  readonly minCells: number;
  /** Red cells transmit red: mean OD(red) / OD(green) of the foreground must stay below this. */
  readonly maxRedToGreenOd: number;
  /**
   * Box diameter = sqrt(covariance diameter * granulometry diameter) * boxBias. The bias maps the estimator's
   * diameter onto an annotator's box (sqrt(w*h)); fitted on BCCD trainval (see
   * docs/experiments/2026-12-04-calibration.md).
   */
  readonly boxBias: number;
}

export const DEFAULT_SCALE_CONFIG: ScaleConfig = {
  minDiameterPx: 10,
  maxDiameterPx: 260,
  coarseLongSide: 160,
  fineDiameterPx: 16,
  maxLagOverDiameter: 1.2,
  fineMaxLagOverDiameter: 1.5,
  maxCovarianceResidual: 0.25,
  maxWorkingPixels: 100_000,
  holeFillFraction: 0.45,
  minContrastOd: 0.08,
  minContrastKept: 0.5,
  minForegroundFraction: 0.04,
  maxForegroundFraction: 0.85,
  minCells: 4,
  maxRedToGreenOd: 0.9,
  boxBias: 1.177,
};

export interface FieldMaskConfig {
  /** Luma (0-255) at or below which a pixel counts as black surround. */
  readonly darkLuma: number;
  /** Fraction of the frame that must be dark (and touch the corners) before a mask is fitted. */
  readonly minDarkFraction: number;
  /** Share of sampled pixels a fitted mask may misclassify; above it the frame is `full`. */
  readonly maxMismatch: number;
  /** Sample every `stride`-th pixel in x and y. */
  readonly stride: number;
  /** The mask is shrunk by this many pixels (the dark rim of an eyepiece is blurred). */
  readonly insetPx: number;
}

export const DEFAULT_FIELD_CONFIG: FieldMaskConfig = {
  darkLuma: 40,
  minDarkFraction: 0.03,
  maxMismatch: 0.04,
  stride: 2,
  insetPx: 2,
};
