import type { StageMotion } from './types.js';

/**
 * Is the stage moving too fast for the detector? A cell is counted once it has
 * been seen whole in `minObservations` analysed frames, so between two analysed
 * frames the stage may move at most (frame side − cell size) / minObservations
 * along an axis, or cells cross the view before they are seen often enough and
 * are missed. Pace = the median recent step between analysed frames over that
 * limit: 1 is the limit, above 1 the operator should slow down. Pure.
 */
export interface StagePaceConfig {
  /** Analysed-frame steps the median is taken over. */
  readonly window: number;
  /** A leukocyte's size as a share of the frame's shorter side (BCCD's scale)… */
  readonly cellFraction: number;
  /**
   * …or, where the camera's scale is known, its size in frame px (src/track/scale.ts); wins over
   * cellFraction. A function is asked on every analysed frame (a live calibration that is still
   * refining; undefined: cellFraction).
   */
  readonly cellPx?: number | (() => number | undefined);
  /** The counting policy's minimum whole observations (TrackConfig.count.minObservations). */
  readonly minObservations: number;
}

export const DEFAULT_STAGE_PACE_CONFIG: Omit<StagePaceConfig, 'minObservations'> = {
  window: 5,
  // a leukocyte at the 100x oil objective (BCCD fields: 150-240 px of 640x480)
  cellFraction: 0.35,
};

/** What the pace needs of a tracked frame (a CountedFrame has it all). */
export interface PacedFrame {
  readonly detected: boolean;
  readonly segment: number;
  /** 'jump': a discontinuity (a relocalised one keeps its segment); absent: taken as stage motion. */
  readonly motion?: StageMotion;
  /** Slide position of the frame's top-left pixel. */
  readonly pose: { readonly x: number; readonly y: number };
  readonly frame: { readonly width: number; readonly height: number };
}

export class StagePace {
  private last: { segment: number; x: number; y: number } | null = null;
  private readonly steps: number[] = [];

  constructor(private readonly config: StagePaceConfig) {
    if (!Number.isInteger(config.window) || config.window < 1) throw new Error(`stage pace window must be a positive integer, got ${config.window}`);
    if (!(config.cellFraction >= 0 && config.cellFraction < 1)) throw new Error(`cellFraction must be in [0, 1), got ${config.cellFraction}`);
    if (typeof config.cellPx === 'number' && !(config.cellPx >= 0)) throw new Error(`cellPx must be non-negative, got ${config.cellPx}`);
    if (!(config.minObservations >= 1)) throw new Error(`minObservations must be at least 1, got ${config.minObservations}`);
  }

  /** Feeds one tracked frame; returns the pace (null until two analysed frames of one segment). */
  update(f: PacedFrame): number | null {
    // a jump (also one back onto this segment's map) is not stage motion: no step across it
    if (f.motion === 'jump') this.last = null;
    if (!f.detected) return this.current;
    const here = { segment: f.segment, x: f.pose.x, y: f.pose.y };
    const prev = this.last;
    this.last = here;
    if (prev === null || prev.segment !== f.segment) {
      // a jump starts a new segment: steps across it are not stage motion
      this.steps.length = 0;
      return null;
    }
    const side = Math.min(f.frame.width, f.frame.height);
    // a cell as large as the view leaves no room to move: keep a sliver so the limit stays finite
    const given = typeof this.config.cellPx === 'function' ? this.config.cellPx() : this.config.cellPx;
    const cell = Math.min(given !== undefined && given >= 0 ? given : this.config.cellFraction * side, 0.95 * side);
    const limitX = (f.frame.width - cell) / this.config.minObservations;
    const limitY = (f.frame.height - cell) / this.config.minObservations;
    this.steps.push(Math.max(Math.abs(here.x - prev.x) / limitX, Math.abs(here.y - prev.y) / limitY));
    if (this.steps.length > this.config.window) this.steps.shift();
    return this.current;
  }

  reset(): void {
    this.last = null;
    this.steps.length = 0;
  }

  /** The pace now (null until two analysed frames of one segment). */
  get current(): number | null {
    if (this.steps.length === 0) return null;
    const s = [...this.steps].sort((a, b) => a - b);
    const m = s.length >> 1;
    return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
  }
}
