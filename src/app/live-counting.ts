/**
 * The live-counting stage of a scan session: the slide counter (src/track) fed with the live
 * pipeline's frames and detections, the stage pace beside it, and the overlay each counted frame
 * projects for viewers. It owns one scan's counting state; `clear()` starts a new scan.
 *
 * Frame numbers are renumbered into one session-wide sequence, so a capture restarted after a pause
 * or a source switch (its frames numbered from 0 again) continues the counter's sequence.
 */
import { isLeukocyteType, type LeukocyteType } from '../core/classes.js';
import type { DetectionsXyxyPixels } from '../core/detections.js';
import type { Frame } from '../core/frame.js';
import type { RegistrationConfig, TrackConfigInput } from '../track/config.js';
import { SlideCounter } from '../track/slide-counter.js';
import { DEFAULT_STAGE_PACE_CONFIG, StagePace, type StagePaceConfig } from '../track/stage-pace.js';
import type { CountUpdate, CountedCell, CountedFrame, FrameRegistration } from '../track/types.js';
import type { CountedCell as WireCountedCell, OverlayCell } from '../stream/protocol.js';

type CountedCellReview = WireCountedCell['review'];
import type { SessionOverlay } from '../stream/session.js';

/** How a reviewed cell counts now: as `type`, or not at all (rejected). */
export interface ReviewedType {
  readonly rejected: boolean;
  readonly type: LeukocyteType | null;
}

/** The review a viewer is shown for a reviewed cell (null: none). */
export function wireReview(review: ReviewedType | undefined): CountedCellReview {
  if (review === undefined) return null;
  return review.rejected ? { action: 'reject' } : { action: 'reclassify', ...(review.type ? { newType: review.type } : {}) };
}

/** Label of a tracked cell the registry has not typed yet. */
const UNTYPED_LABEL = 'WBC';

interface OtherBoxes {
  readonly pose: { readonly x: number; readonly y: number };
  readonly segment: number;
  readonly boxes: readonly OverlayCell[];
}

export class LiveCounting {
  private counter: SlideCounter;
  /** Stage step between analysed frames against the counting policy's limit (health.pipeline.stagePace). */
  private readonly pace: StagePace;
  private nextSeq = 0;
  private seqOffset: number | null = null;
  /** Boxes of the classes the tracker does not follow (the card's non-leukocyte classes), last detection. */
  private others: OtherBoxes | null = null;

  /** `stagePace`: e.g. the cell size at the camera's scale (src/track/scale.ts); defaults otherwise. */
  constructor(
    private readonly track: TrackConfigInput = {},
    stagePace: Partial<Omit<StagePaceConfig, 'minObservations'>> = {},
  ) {
    this.counter = new SlideCounter(track);
    this.pace = new StagePace({ ...DEFAULT_STAGE_PACE_CONFIG, ...stagePace, minObservations: this.counter.config.count.minObservations });
  }

  /** The slide counter's registration settings (for a registrar in another thread). */
  get registrationConfig(): RegistrationConfig {
    return this.counter.config.registration;
  }

  /** Median stage pace, or null until known. */
  get stagePace(): number | null {
    return this.pace.current;
  }

  /** A new scan: empty counter and slide map. The frame sequence goes on. */
  clear(): void {
    this.counter = new SlideCounter(this.track);
    this.pace.reset();
    this.others = null;
    this.seqOffset = null;
  }

  /** A new capture starts (after a pause or a source switch): its frames are renumbered after the last. */
  reconnected(): void {
    this.seqOffset = null;
    this.pace.reset();
  }

  /** A displayed frame in the session's sequence. */
  frame(frame: Frame): Frame {
    return this.renumber(frame);
  }

  /** The frame a detection belongs to in the session's sequence; null before the capture's first frame. */
  detectionFrame(frame: Frame): Frame | null {
    return this.seqOffset === null ? null : this.renumber(frame);
  }

  /**
   * Counts one frame (with its detections when the detector saw it). Throws when the frame cannot be placed.
   * `registration`: the frame's registration from a registrar in another thread (src/app/off-thread-registrar.ts).
   */
  update(frame: Frame, detections: DetectionsXyxyPixels | null, registration?: FrameRegistration): CountUpdate {
    const update = this.counter.update({ frame, detections, ...(registration === undefined ? {} : { registration }) });
    this.pace.update(update.frame);
    if (detections !== null) this.rememberOthers(update.frame, detections);
    return update;
  }

  countedCells(): CountedCell[] {
    return this.counter.countedCells();
  }

  /** The overlay of a counted frame: tracked leukocytes (reviews applied) and the other classes moved with the stage. */
  overlay(frame: CountedFrame, reviewed: (trackId: number) => ReviewedType | undefined): SessionOverlay {
    const byId = new Map(frame.cells.map((c) => [c.id, c]));
    const cells: OverlayCell[] = frame.visible.map((v) => {
      const tracked = byId.get(v.cellId);
      const review = reviewed(v.cellId);
      return {
        trackId: v.cellId,
        type: review?.type ?? tracked?.type ?? UNTYPED_LABEL,
        score: tracked?.meanScore ?? 0,
        box: [v.frameBox.x1, v.frameBox.y1, v.frameBox.x2, v.frameBox.y2],
        counted: frame.countedIds.has(v.cellId) && !(review?.rejected ?? false),
      };
    });
    const others = this.others;
    if (others !== null && others.segment === frame.segment) {
      const dx = others.pose.x - frame.pose.x;
      const dy = others.pose.y - frame.pose.y;
      for (const o of others.boxes) cells.push({ ...o, box: [o.box[0] + dx, o.box[1] + dy, o.box[2] + dx, o.box[3] + dy] });
    }
    return { seq: frame.frame.seq, sourceWidth: frame.frame.width, sourceHeight: frame.frame.height, cells };
  }

  private renumber(frame: Frame): Frame {
    if (this.seqOffset === null) this.seqOffset = this.nextSeq - frame.seq;
    const seq = frame.seq + this.seqOffset;
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    return seq === frame.seq ? frame : { ...frame, seq };
  }

  /** Detections of the card's classes that are not leukocytes (RBC, platelets): drawn, not tracked. */
  private rememberOthers(frame: CountedFrame, d: DetectionsXyxyPixels): void {
    const boxes: OverlayCell[] = [];
    for (let i = 0; i < d.scores.length; i++) {
      const name = d.classNames[d.classIds[i]];
      if (name === undefined || isLeukocyteType(name)) continue;
      boxes.push({ trackId: -1, type: name, score: d.scores[i], box: [d.boxes[i * 4], d.boxes[i * 4 + 1], d.boxes[i * 4 + 2], d.boxes[i * 4 + 3]], counted: false });
    }
    this.others = { pose: { ...frame.pose }, segment: frame.segment, boxes };
  }
}
