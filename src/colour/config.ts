/**
 * The colour normaliser's settings and defaults (the background rule is shared by the calibration's
 * cell segmentation and colour fit, and by this folder's live normaliser; src/pipeline/config.ts re-exports
 * them).
 */
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
