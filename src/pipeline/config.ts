/** Pipeline defaults in one place. */

export interface ColourNormaliseConfig {
  /** Sample every `statsStride`-th pixel in x and y when measuring statistics. */
  readonly statsStride: number;
  /**
   * The background (plasma) is the brightest `backgroundFraction` of pixels by luma (BT.709)…
   * (the same rule as training/colour_stats.py, which writes the card's backgroundRgb).
   */
  readonly backgroundFraction: number;
  /** …less the very brightest `highlightFraction` (clipped glare). */
  readonly highlightFraction: number;
  /** Per-channel white-balance gains are clamped to [1/maxGain, maxGain]. */
  readonly maxGain: number;
  /** Reinhard std ratios are clamped to [1/maxStdRatio, maxStdRatio]. */
  readonly maxStdRatio: number;
  /**
   * Which corrections to apply: 'wb' (white balance to the reference plasma colour), 'lab'
   * (Reinhard L*a*b* mean/std matching of the whole frame), 'wb+lab' (both). The default is 'wb':
   * it depends on the background only, while 'lab' matches whole-frame statistics, which move with
   * the cells in view, and so shifts the colour of the cells themselves. Measured 2026-12-01
   * (bench:count, 8 scans, 33 cells): type accuracy 81.8% with 'wb+lab', 87.9% with 'wb'
   * (differential error 18.2 -> 9.1 points); bench:colour: 'wb+lab' keeps about 2 AP more under
   * washed-out or desaturated stains, equal elsewhere. See README.md.
   */
  readonly mode: 'wb+lab' | 'wb' | 'lab';
  /** Frames averaged (equal weights) to form the first calibration. */
  readonly warmupFrames: number;
  /** After warm-up, statistics are re-measured every `refreshEvery` frames… */
  readonly refreshEvery: number;
  /** …and folded in with this exponential smoothing weight. */
  readonly refreshAlpha: number;
  /** Grid points per axis of the 3D lookup table sampled from the exact transform. */
  readonly lutGrid: number;
  /**
   * How frames are looked up: 'nearest' reads a dense 65^3 table (sampled from the
   * grid LUT) once per pixel, about 3.5x cheaper; 'tetrahedral' interpolates the grid
   * LUT (about a level closer to the exact transform).
   */
  readonly lutLookup: 'nearest' | 'tetrahedral';
}

export const DEFAULT_COLOUR_CONFIG: ColourNormaliseConfig = {
  statsStride: 4,
  backgroundFraction: 0.2,
  highlightFraction: 0,
  maxGain: 3,
  maxStdRatio: 3,
  mode: 'wb',
  warmupFrames: 10,
  refreshEvery: 30,
  refreshAlpha: 0.1,
  lutGrid: 33,
  lutLookup: 'nearest',
};

export interface MetricsConfig {
  /** Latency samples kept (a ring of the most recent). */
  readonly latencyWindow: number;
  /** How often a metrics snapshot is emitted. */
  readonly intervalMs: number;
  /**
   * Snapshots whose counts the rates (fps in, fps detected) are taken over.
   * One interval is too short when a detection takes about as long as an
   * interval (a slow CPU): the detect rate would read 0, 2, 0, 1, …
   */
  readonly rateIntervals: number;
}

export const DEFAULT_METRICS_CONFIG: MetricsConfig = {
  latencyWindow: 512,
  intervalMs: 1_000,
  rateIntervals: 5,
};

export interface LiveCalibrationConfig {
  /**
   * For callers that feed a calibrated detector only (no live pipeline `calibration`): the
   * calibrator is shown every `observeEvery`-th analysed frame. The
   * core's Calibrator chooses which it measures (the first 10, then one in 30 until held), on the
   * main thread: estimateScale alone took 12-340 ms per 640x480 frame on the shared 2-core machine
   * under load (2026-12-04).
   */
  readonly observeEvery: number;
}

export const LIVE_CALIBRATION_DEFAULTS: LiveCalibrationConfig = { observeEvery: 1 };
