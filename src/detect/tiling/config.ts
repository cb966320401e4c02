/**
 * Resampling and tiling defaults, in one place (src/detect/tiling). Callers override any subset
 * through `Partial<TilingConfig>`; nothing below is repeated inside the functions that use it.
 */
export interface TilingConfig {
  /**
   * Scale band the model tolerates: when the factor that brings the frame's red cells to the
   * model's training size is within this relative distance of today's stretch factor on both axes,
   * the frame goes through as today's single stretched input (no resample, no tiles). Covers the
   * ±5% noise of a scale estimate, and BCCD's own frames.
   */
  readonly stretchTolerance: number;
  /** Overlap between neighbouring tiles, in red-cell diameters (a large leukocyte is ~1.8-2.2). */
  readonly overlapRbc: number;
  /**
   * At most this many tiles per frame: beyond it the factor is lowered (cells come out smaller
   * than the training scale) until the grid fits, so a very low magnification cannot stall the
   * detector for seconds per frame.
   */
  readonly maxTiles: number;
  /** Step by which the factor is lowered while the grid has more than `maxTiles` tiles. */
  readonly shrinkStep: number;
  /**
   * A scale estimate below this confidence is not acted on (today's plan instead). On every 5th
   * BCCD trainval image (56 estimated), the estimates more than 20% too large had a median
   * confidence of 0.39 (14 red cells), those within ±20% 0.61 (27 red cells).
   */
  readonly minScaleConfidence: number;
}

export const TILING_DEFAULTS: TilingConfig = {
  stretchTolerance: 0.2,
  overlapRbc: 2.5,
  maxTiles: 64,
  shrinkStep: 0.95,
  minScaleConfidence: 0.5,
};

/**
 * The detector as a ruler (src/detect/tiling/rbc-ruler.ts): when and how far the red cells the
 * model found may correct the scale the frame was resampled to.
 */
export interface RulerConfig {
  /** The card's red-cell class. */
  readonly rbcClass: string;
  /** Red-cell boxes below this score are not measured. */
  readonly minScore: number;
  /** At least this many measured red cells in a frame, else no measure. */
  readonly minRbc: number;
  /** Boxes within this many px of the frame's edge are cut by it, and not measured. */
  readonly edgeMarginPx: number;
  /** A measure within this relative distance of the scale used agrees with it (as stretchTolerance). */
  readonly tolerance: number;
  /**
   * A measure more than this ratio away from the scale used is not believed (the model was trained
   * on views zoomed x0.5-x2 about its training scale).
   */
  readonly maxRatio: number;
  /** Per image: at most this many extra passes at a corrected scale. */
  readonly maxPasses: number;
  /** Live: the running median over this many measured frames. */
  readonly window: number;
  /** Live: the ruler takes over from the calibration core's estimate after this many measured frames. */
  readonly minFrames: number;
}

export const RULER_DEFAULTS: RulerConfig = {
  rbcClass: 'RBC',
  minScore: 0.3,
  minRbc: 2,
  edgeMarginPx: 2,
  tolerance: 0.3,
  maxRatio: 2.2,
  maxPasses: 2,
  window: 15,
  minFrames: 3,
};
