/**
 * Tracking and counting thresholds, with their defaults in one place.
 * Callers override any subset through the option objects of each stage.
 */

export interface RegistrationConfig {
  /** Phase correlation size (power of two): the grey frame is box-downscaled to fit N x N. */
  fftSize: number;
  /** Below this peak-to-sidelobe ratio a correlation is not trusted. */
  minConfidence: number;
  /** Content shift (frame px per frame) below which the stage counts as paused. */
  pausePx: number;
  /** Start a new keyframe when the shift from the current one exceeds this fraction of min(width, height). */
  keyframeShiftFraction: number;
  /** A frame is blurred when its focus is below this fraction of the recent sharp reference. */
  blurRatio: number;
  /** Number of recent frames over which the focus reference (a high percentile) is taken. */
  focusWindow: number;
  /** Keyframes older than this many keyframes can be a revisit. */
  revisitMinKeyframeGap: number;
  /** A revisit needs this fraction of the frame to overlap an older keyframe. */
  revisitOverlap: number;
  /** Re-register against an old keyframe on revisit to remove accumulated drift. */
  loopClosure: boolean;
  /** After a jump, a frame matching an earlier keyframe (any segment) this well rejoins that segment's map. */
  relocaliseConfidence: number;
  /** Keyframes kept over all segments for relocalisation (oldest dropped first). */
  maxKeyframes: number;
  /** In a run of frames that cannot be placed, relocalisation is tried on the first and every this-many-th (keeps featureless runs cheap). */
  relocaliseInterval: number;
  /**
   * A segment begun at a jump is looked up in the other segments' maps, this many of their
   * keyframes at each of its new keyframes (the best-correlating one of the last look-up and the one after it first, then the rest oldest first, round robin); a match at
   * `relocaliseConfidence` merges the two maps. 0: never (segments stay apart).
   */
  mergeChecksPerKeyframe: number;
}

export interface RegistryConfig {
  /** Detections of leukocyte types below this score are ignored. */
  minScore: number;
  /** A box within this many frame pixels of the frame border is edge-truncated. */
  edgeMarginPx: number;
  /** Association gate: centre distance at most this fraction of the larger box diagonal... */
  gateFraction: number;
  /** ...or IoU at least this. */
  gateIou: number;
  /** Weight of a new full observation in the cell's box estimate (exponential average). */
  boxSmoothing: number;
  /** Detections of any leukocyte type overlapping by this IoU are one observation (class-agnostic grouping). */
  groupIou: number;
  /**
   * Leukocytes barely overlap in a smear: two boxes whose intersection covers this fraction of the
   * smaller one are the same cell (a noisy detector's nested boxes). Used for grouping and before a new cell is made.
   */
  duplicateOverlap: number;
}

export interface CountPolicy {
  /** Full (non-edge, sharp) observations needed before a cell is counted. */
  minObservations: number;
  /** Mean detection score over full observations needed. */
  minMeanScore: number;
  /** Target number of cells for the differential (e.g. 100 or 200). */
  target: number;
  /** z for the two-sided confidence interval (1.96 = 95%). */
  z: number;
}

export interface TrackConfig {
  registration: RegistrationConfig;
  registry: RegistryConfig;
  count: CountPolicy;
}

export const TRACK_DEFAULTS: TrackConfig = {
  registration: {
    fftSize: 128,
    minConfidence: 25,
    pausePx: 0.75,
    keyframeShiftFraction: 0.2,
    blurRatio: 0.45,
    focusWindow: 30,
    revisitMinKeyframeGap: 6,
    revisitOverlap: 0.5,
    loopClosure: true,
    relocaliseConfidence: 50,
    maxKeyframes: 400,
    relocaliseInterval: 5,
    mergeChecksPerKeyframe: 4,
  },
  registry: {
    // leukoscan-lite's leukocyte scores are low (sigmoid per type; the best BCCD test leukocyte
    // scores 0.55): at 0.3 / 0.5 it counted nothing in bench:count; 0.15 / 0.25 counted 13 of 13.
    minScore: 0.15,
    edgeMarginPx: 3,
    gateFraction: 0.5,
    gateIou: 0.3,
    boxSmoothing: 0.3,
    groupIou: 0.6,
    duplicateOverlap: 0.6,
  },
  count: {
    minObservations: 3,
    minMeanScore: 0.25,
    target: 100,
    z: 1.959963984540054,
  },
};

export type TrackConfigInput = {
  registration?: Partial<RegistrationConfig>;
  registry?: Partial<RegistryConfig>;
  count?: Partial<CountPolicy>;
};

export function resolveTrackConfig(input: TrackConfigInput = {}): TrackConfig {
  return {
    registration: { ...TRACK_DEFAULTS.registration, ...input.registration },
    registry: { ...TRACK_DEFAULTS.registry, ...input.registry },
    count: { ...TRACK_DEFAULTS.count, ...input.count },
  };
}
