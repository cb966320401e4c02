/**
 * Typed values of the tracking and counting stages, and the events they emit.
 *
 * Consumers: src/stream (dashboard, issue 6) and src/store (storage, issue 7).
 *
 * Coordinates
 * - "frame pixels": pixels of the captured Frame (x right, y down).
 * - "slide pixels": a per-segment map of the slide, in frame-pixel units. The
 *   first frame of a segment has its top-left corner at slide (0, 0); a frame's
 *   `pose` is the slide position of its top-left pixel, so
 *   slide = frame + pose.
 * - A segment is one connected region of the slide. A jump with no overlap
 *   starts a new segment, unless the new view matches an area mapped earlier
 *   (relocalisation: that segment continues). When a segment runs onto another
 *   segment's map, the two merge (`RegisteredFrame.merged`) and the registry folds
 *   the cells found on both into one (`TrackedFrame.folded`).
 *
 * The stages share one shape: each takes what the stage before produced and
 * returns an enriched value.
 *   Frame --Registrar--> RegisteredFrame
 *   RegisteredFrame + DetectionsXyxyPixels --CellRegistry--> TrackedFrame
 *   TrackedFrame --Counter--> CountedFrame (+ TrackEvent[])
 * Counts are derived from the registry's cells and the counter's set of
 * counted ids; nothing keeps a second tally. A count is taken back only when a
 * segment merge folds a counted cell into one counted earlier ('cell-retracted').
 */
import type { LeukocyteType } from '../core/classes.js';
import type { Frame } from '../core/frame.js';

/** Axis-aligned box (x1, y1, x2, y2); the unit is in the field name that holds it. */
export interface Box {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
}

/** How the stage moved between the previous registered frame and this one. */
export type StageMotion =
  /** First frame of the source. */
  | 'start'
  /** Shift below the pause threshold. */
  | 'paused'
  | 'moving'
  /**
   * A discontinuity: no overlap with the previous frames (the stage jumped, or the video started
   * over). A new segment starts here, unless the view matched an area mapped earlier (`revisit`:
   * relocalised, that segment's map continues and its cells are matched again).
   */
  | 'jump';

/** Whether a new segment starts at this frame: the first frame, or a jump that rejoined no mapped area. */
export function startsSegment(f: Pick<RegisteredFrame, 'motion' | 'revisit'>): boolean {
  return f.motion === 'start' || (f.motion === 'jump' && !f.revisit);
}

export interface RegisteredFrame {
  readonly frame: Frame;
  /** Segment id, 0-based, increases by one at every jump. */
  readonly segment: number;
  /** Slide position (slide pixels) of the frame's top-left pixel. */
  readonly pose: { readonly x: number; readonly y: number };
  /** Frame-pixel shift of the content since the previous frame (0 at start/jump: unknown across a discontinuity). */
  readonly shift: { readonly dx: number; readonly dy: number };
  /** Peak-to-sidelobe ratio of the phase correlation that placed this frame (0 where a segment starts). */
  readonly confidence: number;
  readonly motion: StageMotion;
  /** The direction of travel reversed (back-and-forth movement). */
  readonly reversal: boolean;
  /** The frame overlaps an area of this segment that was left earlier (also after a jump back onto it: relocalised). */
  readonly revisit: boolean;
  /** Variance of the Laplacian of the downscaled grey frame. */
  readonly focus: number;
  /** False when the focus score is low relative to recent frames: no counts from it. */
  readonly sharp: boolean;
  /**
   * Set on the frame where the segment in view ran onto another segment's map (a video that started
   * over where the reader had not seen its start): that segment, `segment`, is now part of this
   * one, and slide pixels of its map + `offset` are slide pixels of this one.
   */
  readonly merged?: { readonly segment: number; readonly offset: { readonly x: number; readonly y: number } };
}

/** A RegisteredFrame without its frame: what a registrar in another thread sends back. */
export type FrameRegistration = Omit<RegisteredFrame, 'frame'>;

/** One detection of a leukocyte, placed on the slide. */
export interface CellObservation {
  readonly seq: number;
  readonly timestampMs: number;
  readonly type: LeukocyteType;
  readonly score: number;
  readonly frameBox: Box;
  readonly slideBox: Box;
  /** The box touches the frame edge: the cell may be cut off. */
  readonly edge: boolean;
}

/** Packed RGB24 crop of a cell, as cut from the frame (pure core). */
export interface RgbCrop {
  readonly format: 'rgb24';
  readonly width: number;
  readonly height: number;
  /** width * height * 3 bytes */
  readonly data: Uint8Array;
  /** Frame the crop was cut from. */
  readonly seq: number;
}

/** The same crop JPEG-encoded at the I/O edge (src/app/encode-crops.ts). */
export interface JpegCrop {
  readonly format: 'jpeg';
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
  readonly seq: number;
}

export type CellCrop = RgbCrop | JpegCrop;

/** A cell in the slide map of its segment. Cells persist for the whole run. */
export interface TrackedCell {
  /** Unique over the run, 1-based. */
  readonly id: number;
  readonly segment: number;
  /** Current estimate of the cell's box, slide pixels. */
  readonly slideBox: Box;
  /** Detections matched to this cell (edge ones included). */
  readonly observations: number;
  /** Observations with the whole cell in view and a sharp frame: the only ones that vote. */
  readonly fullObservations: number;
  /** Sum of detection scores per type, over full observations. */
  readonly votes: Readonly<Record<LeukocyteType, number>>;
  /** Type with the largest vote; null until a full observation exists. */
  readonly type: LeukocyteType | null;
  /** Winning vote / total vote, in [0, 1]; 0 while untyped. */
  readonly typeConfidence: number;
  /** Mean detection score over full observations (0 if none). */
  readonly meanScore: number;
  readonly firstSeenSeq: number;
  readonly lastSeenSeq: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Consecutive detection passes in which the cell was fully in view but not detected. */
  readonly misses: number;
  /** Best full observation's crop so far (highest score), if any. */
  readonly crop: RgbCrop | null;
}

export interface TrackedFrame extends RegisteredFrame {
  /** False when the registry did not run detections on this frame (skipped by the detector). */
  readonly detected: boolean;
  /** Cells matched in this frame with their frame boxes (for overlays). */
  readonly visible: readonly { readonly cellId: number; readonly frameBox: Box; readonly edge: boolean }[];
  /** Every cell in the registry, all segments (persisting). */
  readonly cells: readonly TrackedCell[];
  /**
   * Set on a segment merge's frame (`merged`) when the registry found cells of the two maps to be
   * one: cell `id` is gone, folded into cell `into` (which holds both cells' views).
   */
  readonly folded?: readonly CellFold[];
}

/** Two cells found to be one at a segment merge: `id` was folded into `into`. */
export interface CellFold {
  readonly id: number;
  readonly into: number;
}

/** Per-type count with its share and a 95% Wilson score interval (both in percent). */
export interface TypeCount {
  readonly count: number;
  /** count / total * 100; 0 when nothing is counted. */
  readonly percent: number;
  /** Wilson score interval (95%); [0, 100] when nothing is counted. */
  readonly ci95: { readonly low: number; readonly high: number };
}

/** One type's line of a differential table. */
export interface DifferentialRow extends TypeCount {
  readonly type: LeukocyteType;
}

/**
 * The differential: the one type for it (the live counter, the dashboard session, the store and
 * the reports), computed in one place (`differentialFromTally` in differential.ts).
 */
export interface Differential {
  readonly counts: Readonly<Record<LeukocyteType, TypeCount>>;
  /** The same counts as one row per leukocyte type, in LEUKOCYTE_TYPES order (tables, the wire). */
  readonly rows: readonly DifferentialRow[];
  readonly total: number;
  /** Target number of cells (e.g. 100 or 200); null: none set (a stored scan without one). */
  readonly target: number | null;
  /** total / target, capped at 1 (1 without a target). */
  readonly progress: number;
  readonly done: boolean;
  /** How the intervals were computed. */
  readonly ciMethod: string;
}

/** A counted cell as consumers see it. */
export interface CountedCell {
  readonly id: number;
  readonly segment: number;
  readonly type: LeukocyteType;
  readonly confidence: number;
  /** Centre of the cell, slide pixels. */
  readonly slideX: number;
  readonly slideY: number;
  readonly slideBox: Box;
  readonly firstSeenSeq: number;
  readonly lastSeenSeq: number;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Frame seq at which the cell was counted. */
  readonly countedSeq: number;
}

export interface CountedFrame extends TrackedFrame {
  /** Ids of the cells counted so far (each once). */
  readonly countedIds: ReadonlySet<number>;
  /** The same cells: id -> frame seq at which each was counted. */
  readonly countedAt: ReadonlyMap<number, number>;
  readonly differential: Differential;
}

/** A cell passed the confirmation policy and was counted (once, ever). */
export interface CellCountedEvent {
  readonly kind: 'cell-counted';
  readonly seq: number;
  readonly timestampMs: number;
  readonly cell: CountedCell;
  /** RGB in the core; JPEG after `encodeCropJpeg()` (src/app) at the edge. Null if no full view exists. */
  readonly crop: CellCrop | null;
  readonly differential: Differential;
}

/** A counted cell's type changed after more observations (the count moves between types). */
export interface CellRetypedEvent {
  readonly kind: 'cell-retyped';
  readonly seq: number;
  readonly timestampMs: number;
  readonly cell: CountedCell;
  readonly previousType: LeukocyteType;
  readonly differential: Differential;
}

/**
 * A count taken back: two maps of the slide merged and showed that a counted cell is one counted
 * earlier (a video that started over where the reader had not seen its start). The cell counted
 * later is gone, folded into the one counted first, which stays counted (a change of its type by
 * the views it took over is announced as `cell-retyped` in the same frame).
 */
export interface CellRetractedEvent {
  readonly kind: 'cell-retracted';
  readonly seq: number;
  readonly timestampMs: number;
  /** Tracker id of the cell no longer counted. */
  readonly cellId: number;
  /** The type it was counted as. */
  readonly type: LeukocyteType;
  /** Frame seq at which it had been counted. */
  readonly countedSeq: number;
  /** The cell it was one with, counted earlier, as it is now. */
  readonly kept: CountedCell;
  readonly differential: Differential;
}

/** The differential changed (after any counted, retracted or retyped event of the same frame). */
export interface DifferentialChangedEvent {
  readonly kind: 'differential-changed';
  readonly seq: number;
  readonly timestampMs: number;
  readonly differential: Differential;
}

/** The target was reached: the technologist can stop. Emitted once. */
export interface TargetReachedEvent {
  readonly kind: 'target-reached';
  readonly seq: number;
  readonly timestampMs: number;
  readonly differential: Differential;
}

/** A new segment of the slide map started (first frame, or a jump with no overlap). */
export interface SegmentStartedEvent {
  readonly kind: 'segment-started';
  readonly seq: number;
  readonly timestampMs: number;
  readonly segment: number;
  readonly reason: 'start' | 'jump';
}

export type TrackEvent =
  | CellCountedEvent
  | CellRetypedEvent
  | CellRetractedEvent
  | DifferentialChangedEvent
  | TargetReachedEvent
  | SegmentStartedEvent;

export type TrackEventKind = TrackEvent['kind'];

/** What the counting operator emits per frame. */
export interface CountUpdate {
  readonly frame: CountedFrame;
  /** Events of this frame, in order: segment, retracted, counted, retyped, differential, target. */
  readonly events: readonly TrackEvent[];
}
