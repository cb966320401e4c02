import type { Frame } from '../../core/frame.js';
import type { RegistrationConfig } from '../config.js';
import { TRACK_DEFAULTS } from '../config.js';
import type { RegisteredFrame, StageMotion } from '../types.js';
import { quantile, varianceOfLaplacian } from './focus.js';
import { downscaleFactor, greyDownscaled, type GreyImage } from './grey.js';
import { correlate, spectrum, type Correlation, type Spectrum } from './phase-correlation.js';

interface Keyframe {
  /** Order of creation within the run. */
  readonly index: number;
  /** Segment and pose change only when its segment's map merges into another (`mergeInto`). */
  segment: number;
  readonly seq: number;
  pose: { x: number; y: number };
  readonly grey: GreyImage;
  spec: Spectrum | null;
}

interface Previous {
  readonly seq: number;
  readonly width: number;
  readonly height: number;
  readonly pose: { x: number; y: number };
  readonly spec: Spectrum;
}

/** Quantile of recent focus scores taken as the "sharp" reference. */
const FOCUS_REFERENCE_QUANTILE = 0.9;
/** Frames needed before blur can be judged (the first ones are taken as sharp). */
const FOCUS_WARMUP = 5;
/** Cosine below which a movement counts as reversing the previous direction. */
const REVERSAL_COS = -0.5;

/**
 * Stage registration: places each frame on the slide by phase correlation
 * against the current keyframe (falling back to the previous frame), detects
 * jumps (new segment), pauses, reversals, revisits and blur.
 *
 * Frame -> RegisteredFrame. Deterministic; no I/O.
 */
export class Registrar {
  private readonly cfg: RegistrationConfig;
  private segment = -1;
  /** Segments started so far (the next new segment's id). */
  private segmentCount = 0;
  private factor = 0;
  private prev: Previous | null = null;
  private keyframe: Keyframe | null = null;
  /** Keyframes of the current segment (the slide map's anchors). */
  private keyframes: Keyframe[] = [];
  /** Keyframes of every segment, oldest first (bounded): where a jump may land again. */
  private allKeyframes: Keyframe[] = [];
  private keyIndex = 0;
  private focusHistory: number[] = [];
  private lastDirection: { x: number; y: number } | null = null;
  /** Consecutive frames that could not be placed; relocalisation (one correlation per keyframe) is tried on the first and every `relocaliseInterval`-th. */
  private failStreak = 0;
  /**
   * The current segment started at a jump on which no sharp frame tried relocalisation (a restarted
   * video's first pictures are often grey or blurred): the next sharp frame tries it against the
   * other segments' maps, even if it places on this one.
   */
  private unlocalisedJump = false;
  /**
   * While the current segment began at a jump and has joined no other map: how many of the other
   * segments' keyframes it has been looked up in (round robin); null: nothing to look for.
   */
  private joinCursor: number | null = null;
  /** The other segment's keyframe that correlated best (below the threshold) at the last look-up: it and the keyframe after it are looked at first next time, as the views close in. */
  private joinLead: Keyframe | null = null;

  constructor(config: Partial<RegistrationConfig> = {}) {
    this.cfg = { ...TRACK_DEFAULTS.registration, ...config };
  }

  update(frame: Frame): RegisteredFrame {
    const sizeChanged = this.prev !== null && (this.prev.width !== frame.width || this.prev.height !== frame.height);
    if (this.prev === null || sizeChanged) this.factor = downscaleFactor(frame.width, frame.height, this.cfg.fftSize);
    const grey = greyDownscaled(frame, this.factor);
    const focus = varianceOfLaplacian(grey);
    const sharp = this.judgeFocus(focus);
    const spec = spectrum(grey, this.cfg.fftSize);

    if (this.prev === null || sizeChanged) {
      return this.startSegment(frame, grey, spec, focus, sharp, this.prev === null ? 'start' : 'jump');
    }
    const prev = this.prev;
    const key = this.keyframe!;
    let placed = this.place(key, spec);
    if (!placed && prev.seq !== key.seq) placed = this.place({ pose: prev.pose, spec: prev.spec }, spec);
    let relocalised = false;
    let tryRelocalise = false;
    if (placed) this.failStreak = 0;
    else tryRelocalise = this.failStreak++ % this.cfg.relocaliseInterval === 0;
    const tried = sharp && (this.unlocalisedJump || (!placed && tryRelocalise));
    if (tried) {
      // placed on a segment that began at an unlocalised jump: only another segment's map can take it back
      const back = this.relocalise(spec, placed ? this.segment : null);
      this.unlocalisedJump = false;
      if (back) {
        // the stage jumped back (or the video started over) onto an area mapped earlier: continue that segment's map
        placed = back;
        relocalised = true;
        this.joinCursor = null;
      }
    }
    if (!placed) {
      const reg = this.startSegment(frame, grey, spec, focus, sharp, 'jump');
      this.unlocalisedJump = !tried;
      return reg;
    }

    let { pose, confidence } = placed;
    const revisitOf = this.findRevisit(pose, frame.width, frame.height);
    if (
      revisitOf &&
      this.cfg.loopClosure &&
      revisitOf !== this.keyframe &&
      overlapFraction(pose, revisitOf.pose, frame.width, frame.height) > overlapFraction(pose, this.keyframe!.pose, frame.width, frame.height)
    ) {
      const closed = this.place(revisitOf, spec);
      if (closed) {
        pose = closed.pose;
        confidence = closed.confidence;
        this.keyframe = revisitOf;
      }
    }
    // after a relocalisation, motion is measured from where the previous frame would lie on this map: unknown, so none
    const move = relocalised ? { x: 0, y: 0 } : { x: pose.x - prev.pose.x, y: pose.y - prev.pose.y };
    const dist = Math.hypot(move.x, move.y);
    // a relocalised frame is a discontinuity that rejoined a mapped area: a jump, with `revisit`
    const motion: StageMotion = relocalised ? 'jump' : dist >= this.cfg.pausePx ? 'moving' : 'paused';
    let reversal = false;
    if (motion === 'moving' && dist > 0) {
      const dir = { x: move.x / dist, y: move.y / dist };
      if (this.lastDirection) reversal = dir.x * this.lastDirection.x + dir.y * this.lastDirection.y < REVERSAL_COS;
      this.lastDirection = dir;
    }
    const k = this.keyframe!;
    const fromKey = Math.hypot(pose.x - k.pose.x, pose.y - k.pose.y);
    let merged: RegisteredFrame['merged'];
    if (sharp && fromKey > this.cfg.keyframeShiftFraction * Math.min(frame.width, frame.height)) {
      this.addKeyframe(frame.seq, pose, grey, spec);
      const join = this.lookUpOtherMaps(spec);
      if (join) {
        merged = this.mergeInto(join.k.segment, { x: join.pose.x - pose.x, y: join.pose.y - pose.y });
        pose = join.pose;
        confidence = join.confidence;
      }
    }
    this.prev = { seq: frame.seq, width: frame.width, height: frame.height, pose, spec };
    return {
      frame,
      segment: this.segment,
      pose,
      shift: { dx: -move.x, dy: -move.y },
      confidence,
      motion,
      reversal,
      revisit: relocalised || revisitOf !== null || merged !== undefined,
      focus,
      sharp,
      ...(merged ? { merged } : {}),
    };
  }

  private startSegment(frame: Frame, grey: GreyImage, spec: Spectrum, focus: number, sharp: boolean, reason: 'start' | 'jump'): RegisteredFrame {
    this.segment = this.segmentCount++;
    this.unlocalisedJump = false;
    this.joinCursor = reason === 'jump' ? 0 : null;
    this.keyframes = [];
    this.lastDirection = null;
    const pose = { x: 0, y: 0 };
    this.addKeyframe(frame.seq, pose, grey, spec);
    this.prev = { seq: frame.seq, width: frame.width, height: frame.height, pose, spec };
    return {
      frame,
      segment: this.segment,
      pose,
      shift: { dx: 0, dy: 0 },
      confidence: 0,
      motion: reason,
      reversal: false,
      revisit: false,
      focus,
      sharp,
    };
  }

  private addKeyframe(seq: number, pose: { x: number; y: number }, grey: GreyImage, spec: Spectrum): void {
    const k: Keyframe = { index: this.keyIndex++, segment: this.segment, seq, pose, grey, spec };
    // Only the newest keyframes keep their spectrum; older ones recompute it on a revisit.
    for (const old of this.keyframes) if (old.index < k.index - this.cfg.revisitMinKeyframeGap) old.spec = null;
    this.keyframes.push(k);
    this.allKeyframes.push(k);
    if (this.allKeyframes.length > this.cfg.maxKeyframes) {
      const dropped = this.allKeyframes.shift()!;
      const i = this.keyframes.indexOf(dropped);
      if (i >= 0 && this.keyframes[i] !== k) this.keyframes.splice(i, 1);
    }
    this.keyframe = k;
  }

  /**
   * After a jump: the keyframe (of any segment but `exceptSegment`) this frame matches with a
   * high confidence, and the pose on that segment's map. Switches to that segment.
   */
  private relocalise(spec: Spectrum, exceptSegment: number | null): { pose: { x: number; y: number }; confidence: number } | null {
    const { best } = this.bestMatch(this.allKeyframes.filter((k) => k.segment !== exceptSegment), spec);
    if (!best) return null;
    if (best.k.segment !== this.segment) {
      this.segment = best.k.segment;
      this.keyframes = this.allKeyframes.filter((k) => k.segment === best!.k.segment);
    }
    // a jump has no direction of travel
    this.lastDirection = null;
    this.keyframe = best.k;
    return { pose: best.pose, confidence: best.confidence };
  }

  /**
   * The keyframe of `candidates` this frame matches best at `relocaliseConfidence` or above, with
   * its pose there (`best`), and the one it correlates best with at any confidence (`top`).
   */
  private bestMatch(candidates: Iterable<Keyframe>, spec: Spectrum): { best: { k: Keyframe; pose: { x: number; y: number }; confidence: number } | null; top: Keyframe | null } {
    let top: { k: Keyframe; pose: { x: number; y: number }; confidence: number } | null = null;
    for (const k of candidates) {
      const c = correlate(k.spec ?? spectrum(k.grey, this.cfg.fftSize), spec);
      if (!top || c.confidence > top.confidence) top = { k, pose: { x: k.pose.x - c.dx, y: k.pose.y - c.dy }, confidence: c.confidence };
    }
    return { best: top && top.confidence >= this.cfg.relocaliseConfidence ? top : null, top: top?.k ?? null };
  }

  /**
   * A segment begun at a jump may run onto another segment's map (a video that started over where
   * the reader had not seen its start): at each of its new keyframes, `mergeChecksPerKeyframe`
   * keyframes of the other segments: the last look-up's best and the one after it (the views close
   * in along the old path), then the rest oldest first, round robin.
   */
  private lookUpOtherMaps(spec: Spectrum): { k: Keyframe; pose: { x: number; y: number }; confidence: number } | null {
    if (this.joinCursor === null || this.cfg.mergeChecksPerKeyframe <= 0) return null;
    const others = this.allKeyframes.filter((k) => k.segment !== this.segment);
    if (others.length === 0) return null;
    const n = Math.min(this.cfg.mergeChecksPerKeyframe, others.length);
    const lead = this.joinLead ? others.indexOf(this.joinLead) : -1;
    const batch = new Set<Keyframe>(lead >= 0 ? [others[lead], others[(lead + 1) % others.length]].slice(0, n) : []);
    while (batch.size < n) batch.add(others[this.joinCursor++ % others.length]);
    const { best, top } = this.bestMatch(batch, spec);
    this.joinLead = top;
    return best;
  }

  /** The current segment's map joins `target`'s: slide(target) = slide(current) + offset. */
  private mergeInto(target: number, offset: { x: number; y: number }): { segment: number; offset: { x: number; y: number } } {
    const from = this.segment;
    for (const k of this.allKeyframes) {
      if (k.segment !== from) continue;
      k.segment = target;
      k.pose = { x: k.pose.x + offset.x, y: k.pose.y + offset.y };
    }
    this.segment = target;
    this.keyframes = this.allKeyframes.filter((k) => k.segment === target);
    this.joinCursor = null;
    return { segment: from, offset };
  }

  /** Pose of the new frame from a reference, or null when the correlation is not trusted. */
  private place(ref: { pose: { x: number; y: number }; spec?: Spectrum | null; grey?: GreyImage }, spec: Spectrum): { pose: { x: number; y: number }; confidence: number } | null {
    let refSpec = ref.spec ?? null;
    if (!refSpec && ref.grey) {
      refSpec = spectrum(ref.grey, this.cfg.fftSize);
      if ('index' in ref) (ref as Keyframe).spec = refSpec;
    }
    if (!refSpec) return null;
    const c: Correlation = correlate(refSpec, spec);
    if (!(c.confidence >= this.cfg.minConfidence)) return null;
    // content moved by (dx, dy) in the frame => the stage moved by -(dx, dy) on the slide
    return { pose: { x: ref.pose.x - c.dx, y: ref.pose.y - c.dy }, confidence: c.confidence };
  }

  /** The best-overlapping keyframe of this segment left at least `revisitMinKeyframeGap` keyframes ago. */
  private findRevisit(pose: { x: number; y: number }, w: number, h: number): Keyframe | null {
    const newest = this.keyIndex - 1;
    let best: Keyframe | null = null;
    let bestOverlap = this.cfg.revisitOverlap;
    for (const k of this.keyframes) {
      if (k.index > newest - this.cfg.revisitMinKeyframeGap) continue;
      const overlap = overlapFraction(pose, k.pose, w, h);
      if (overlap >= bestOverlap) {
        bestOverlap = overlap;
        best = k;
      }
    }
    return best;
  }

  private judgeFocus(focus: number): boolean {
    const history = this.focusHistory;
    const sharp = history.length < FOCUS_WARMUP || focus >= this.cfg.blurRatio * quantile(history, FOCUS_REFERENCE_QUANTILE);
    history.push(focus);
    if (history.length > this.cfg.focusWindow) history.shift();
    return sharp;
  }
}

/** Fraction of a w x h frame at pose `a` covered by one at pose `b`. */
function overlapFraction(a: { x: number; y: number }, b: { x: number; y: number }, w: number, h: number): number {
  const ox = Math.max(0, w - Math.abs(a.x - b.x));
  const oy = Math.max(0, h - Math.abs(a.y - b.y));
  return (ox * oy) / (w * h);
}
