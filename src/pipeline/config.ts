/** Pipeline defaults in one place. */

export { type ColourNormaliseConfig, DEFAULT_COLOUR_CONFIG } from '../colour/config.js';

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
