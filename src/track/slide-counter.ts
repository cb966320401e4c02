import type { DetectionsXyxyPixels } from '../core/detections.js';
import type { Frame } from '../core/frame.js';
import { resolveTrackConfig, type TrackConfig, type TrackConfigInput } from './config.js';
import { Counter, countedCellsOf } from './counter.js';
import { Registrar } from './registration/registrar.js';
import { CellRegistry } from './registry.js';
import type { CountedCell, CountUpdate, FrameRegistration, RegisteredFrame } from './types.js';

/** A frame and the detector's result for it; null when the detector skipped the frame. */
export interface FrameWithDetections {
  readonly frame: Frame;
  readonly detections: DetectionsXyxyPixels | null;
  /**
   * The frame's registration when it was computed elsewhere: by a Registrar with this counter's
   * configuration that was given the same frames in the same order (e.g. in a worker thread,
   * src/app/off-thread-registrar.ts). Used instead of this counter's own registrar for a new frame.
   */
  readonly registration?: FrameRegistration;
}

/** How many recent registered frames are kept so that a late detection result can be placed. */
const LATE_DETECTION_WINDOW = 64;

/**
 * Registrar -> CellRegistry -> Counter, composed. Every frame is registered
 * once, in order; a detection result for an already registered frame (the
 * detector runs behind the stream) is placed with that frame's pose.
 */
export class SlideCounter {
  readonly config: TrackConfig;
  private readonly registrar: Registrar;
  private readonly registry: CellRegistry;
  private readonly counter: Counter;
  private readonly recent = new Map<number, RegisteredFrame>();
  private lastSeq = -Infinity;
  private latest: CountUpdate | null = null;

  constructor(config: TrackConfigInput = {}) {
    this.config = resolveTrackConfig(config);
    this.registrar = new Registrar(this.config.registration);
    this.registry = new CellRegistry(this.config.registry);
    this.counter = new Counter(this.config.count);
  }

  update(input: FrameWithDetections): CountUpdate {
    let reg: RegisteredFrame | undefined;
    if (input.frame.seq <= this.lastSeq) {
      reg = this.recent.get(input.frame.seq);
      if (!reg) {
        throw new Error(`SlideCounter: frame ${input.frame.seq} is older than the last ${LATE_DETECTION_WINDOW} registered frames (latest ${this.lastSeq})`);
      }
    } else {
      reg = input.registration === undefined ? this.registrar.update(input.frame) : { ...input.registration, frame: input.frame };
      if (reg.merged) this.moveRecent(reg.merged, reg.segment);
      this.lastSeq = input.frame.seq;
      this.recent.set(input.frame.seq, reg);
      if (this.recent.size > LATE_DETECTION_WINDOW) this.recent.delete(this.recent.keys().next().value as number);
    }
    const tracked = this.registry.update(reg, input.detections, this.latest?.frame.countedAt);
    this.latest = this.counter.update(tracked);
    return this.latest;
  }

  /** A late detection for a frame registered before a segment merge is placed on the merged map. */
  private moveRecent(m: NonNullable<RegisteredFrame['merged']>, into: number): void {
    for (const [seq, r] of this.recent) {
      if (r.segment === m.segment) this.recent.set(seq, { ...r, segment: into, pose: { x: r.pose.x + m.offset.x, y: r.pose.y + m.offset.y } });
    }
  }

  /** Counted cells at the latest frame. */
  countedCells(): CountedCell[] {
    return this.latest ? countedCellsOf(this.latest.frame) : [];
  }
}
