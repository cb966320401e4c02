import { LEUKOCYTE_TYPES, isLeukocyteType, type LeukocyteType } from '../core/classes.js';
import type { DetectionsXyxyPixels } from '../core/detections.js';
import { area, blend, centre, diagonal, insideWithMargin, intersect, iou, overlapOfSmaller, translate, union } from './box.js';
import type { RegistryConfig } from './config.js';
import { TRACK_DEFAULTS } from './config.js';
import { cropRgb } from './crop.js';
import { hungarian } from './hungarian.js';
import type { Box, CellFold, RegisteredFrame, RgbCrop, TrackedCell, TrackedFrame } from './types.js';

/** One observation: a group of overlapping leukocyte detections (any type) in one frame. */
export interface GroupedObservation {
  readonly frameBox: Box;
  /** Highest score in the group. */
  readonly score: number;
  /** Score per type, summed over the group. */
  readonly votes: Readonly<Record<LeukocyteType, number>>;
  readonly edge: boolean;
}

interface MutableCell {
  id: number;
  segment: number;
  slideBox: Box;
  observations: number;
  fullObservations: number;
  votes: Record<LeukocyteType, number>;
  scoreSum: number;
  firstSeenSeq: number;
  lastSeenSeq: number;
  firstSeenMs: number;
  lastSeenMs: number;
  misses: number;
  crop: RgbCrop | null;
  cropScore: number;
}

/** Cost given to gated-out pairs before the assignment; pairs at this cost are dropped. */
const GATED = 1e6;

function zeroVotes(): Record<LeukocyteType, number> {
  return { NEU: 0, LYM: 0, MON: 0, EOS: 0, BAS: 0 };
}

/**
 * Leukocyte detections of one frame, grouped class-agnostically: a
 * Deformable-DETR top-k can return one query under two classes, and that is
 * one cell. Non-leukocyte classes and low scores are dropped. Boxes are scaled
 * to the frame if the detector reports another image size.
 */
export function groupDetections(
  d: DetectionsXyxyPixels,
  frame: { width: number; height: number },
  cfg: Pick<RegistryConfig, 'minScore' | 'groupIou' | 'edgeMarginPx' | 'duplicateOverlap'>,
): GroupedObservation[] {
  const sx = frame.width / d.imageWidth;
  const sy = frame.height / d.imageHeight;
  const items: { box: Box; score: number; type: LeukocyteType }[] = [];
  for (let i = 0; i < d.scores.length; i++) {
    const name = d.classNames[d.classIds[i]];
    if (name === undefined || !isLeukocyteType(name) || !(d.scores[i] >= cfg.minScore)) continue;
    const box = {
      x1: Math.max(0, d.boxes[i * 4] * sx),
      y1: Math.max(0, d.boxes[i * 4 + 1] * sy),
      x2: Math.min(frame.width, d.boxes[i * 4 + 2] * sx),
      y2: Math.min(frame.height, d.boxes[i * 4 + 3] * sy),
    };
    if (area(box) <= 0) continue;
    items.push({ box, score: d.scores[i], type: name });
  }
  items.sort((a, b) => b.score - a.score);
  const taken = new Uint8Array(items.length);
  const groups: GroupedObservation[] = [];
  const m = cfg.edgeMarginPx;
  const frameBox = { x1: 0, y1: 0, x2: frame.width, y2: frame.height };
  for (let i = 0; i < items.length; i++) {
    if (taken[i]) continue;
    const votes = zeroVotes();
    votes[items[i].type] += items[i].score;
    for (let j = i + 1; j < items.length; j++) {
      if (!taken[j] && (iou(items[i].box, items[j].box) >= cfg.groupIou || overlapOfSmaller(items[i].box, items[j].box) >= cfg.duplicateOverlap)) {
        taken[j] = 1;
        votes[items[j].type] += items[j].score;
      }
    }
    groups.push({ frameBox: items[i].box, score: items[i].score, votes, edge: !insideWithMargin(frameBox, items[i].box, m) });
  }
  return groups;
}

/**
 * The slide map of cells: associates each frame's detections with the cells of
 * its segment (Hungarian on a gated IoU / centre-distance cost, in slide
 * pixels), creates cells, and keeps every cell for the run so that a cell that
 * comes back into view is the same cell.
 *
 * RegisteredFrame + DetectionsXyxyPixels -> TrackedFrame. Deterministic; no I/O.
 */
export class CellRegistry {
  private readonly cfg: RegistryConfig;
  private readonly cells: MutableCell[] = [];
  private nextId = 1;

  constructor(config: Partial<RegistryConfig> = {}) {
    this.cfg = { ...TRACK_DEFAULTS.registry, ...config };
  }

  /**
   * detections null: the detector skipped this frame; cells in view are projected for overlays.
   * `countedAt`: counted ids -> the frame seq each was counted at; at a segment merge (reg.merged)
   * a cell found on both maps is kept as the one counted first (see `merge`).
   */
  update(reg: RegisteredFrame, detections: DetectionsXyxyPixels | null, countedAt: ReadonlyMap<number, number> = new Map()): TrackedFrame {
    const folded = reg.merged ? this.merge(reg.merged, reg.segment, countedAt) : [];
    const { frame, pose, segment } = reg;
    const view: Box = { x1: pose.x, y1: pose.y, x2: pose.x + frame.width, y2: pose.y + frame.height };
    const inView = this.cells.filter((c) => c.segment === segment && intersect(c.slideBox, view) !== null);
    if (detections === null) {
      return this.result(reg, false, inView.map((c) => ({ cellId: c.id, frameBox: translate(c.slideBox, -pose.x, -pose.y), edge: !insideWithMargin(view, c.slideBox, this.cfg.edgeMarginPx) })), folded);
    }
    const obs = groupDetections(detections, frame, this.cfg);
    const cost = obs.map((o) => {
      const slide = translate(o.frameBox, pose.x, pose.y);
      return inView.map((c) => this.pairCost(slide, c.slideBox, view));
    });
    const assignment = inView.length > 0 ? hungarian(cost) : obs.map(() => -1);
    const visible: { cellId: number; frameBox: Box; edge: boolean }[] = [];
    const matched = new Set<number>();
    obs.forEach((o, i) => {
      const j = assignment[i];
      const slideBox = translate(o.frameBox, pose.x, pose.y);
      let cell: MutableCell | null = j >= 0 && cost[i][j] < GATED ? inView[j] : null;
      if (cell === null) {
        if (!reg.sharp) return; // blurred frames create no cells
        // a second box on a cell already in view (matched to another box of this frame): not a new cell
        if (inView.some((c) => overlapOfSmaller(intersect(c.slideBox, view) ?? c.slideBox, slideBox) >= this.cfg.duplicateOverlap)) return;
        cell = {
          id: this.nextId++,
          segment,
          slideBox,
          observations: 0,
          fullObservations: 0,
          votes: zeroVotes(),
          scoreSum: 0,
          firstSeenSeq: frame.seq,
          lastSeenSeq: frame.seq,
          firstSeenMs: frame.timestampMs,
          lastSeenMs: frame.timestampMs,
          misses: 0,
          crop: null,
          cropScore: -1,
        };
        this.cells.push(cell);
      }
      this.observe(cell, o, slideBox, reg);
      matched.add(cell.id);
      visible.push({ cellId: cell.id, frameBox: o.frameBox, edge: o.edge });
    });
    for (const c of inView) {
      if (!matched.has(c.id) && reg.sharp && insideWithMargin(view, c.slideBox, this.cfg.edgeMarginPx)) c.misses++;
    }
    return this.result(reg, true, visible, folded);
  }

  /**
   * Segment `m.segment`'s map joined `into`'s: its cells move onto that map, and a moved cell that is
   * one already there (duplicateOverlap) becomes one cell with both cells' views. The cell that stays
   * is the counted one; of two counted cells, the one counted first (a tie: the one already there),
   * and the other's count is taken back by the counter. Returns the folds, `into` the cell that stays.
   */
  private merge(m: NonNullable<RegisteredFrame['merged']>, into: number, countedAt: ReadonlyMap<number, number>): CellFold[] {
    const resident = this.cells.filter((c) => c.segment === into);
    const folds: CellFold[] = [];
    for (const c of this.cells.filter((c) => c.segment === m.segment)) {
      c.segment = into;
      c.slideBox = translate(c.slideBox, m.offset.x, m.offset.y);
      const same = resident.find((r) => overlapOfSmaller(r.slideBox, c.slideBox) >= this.cfg.duplicateOverlap);
      if (!same) continue;
      const [keep, gone] = countedFirst(c, same, countedAt) ? [c, same] : [same, c];
      absorb(keep, gone);
      this.cells.splice(this.cells.indexOf(gone), 1);
      resident[resident.indexOf(same)] = keep;
      folds.push({ id: gone.id, into: keep.id });
    }
    // a cell kept in one fold can go in a later one: each fold names the cell that stays in the end
    const stays = (id: number): number => {
      for (let f = folds.find((x) => x.id === id); f !== undefined; f = folds.find((x) => x.id === id)) id = f.into;
      return id;
    };
    return folds.map((f) => ({ id: f.id, into: stays(f.into) }));
  }

  /** Gated association cost of a detection and a cell, both in slide pixels; the cell is clipped to the view first. */
  private pairCost(det: Box, cellBox: Box, view: Box): number {
    const clipped = intersect(cellBox, view);
    if (!clipped) return GATED;
    const overlap = iou(det, clipped);
    const a = centre(det);
    const b = centre(clipped);
    const dist = Math.hypot(a.x - b.x, a.y - b.y);
    const scale = Math.max(diagonal(det), diagonal(clipped), 1);
    if (overlap < this.cfg.gateIou && dist > this.cfg.gateFraction * scale) return GATED;
    return 1 - overlap + dist / scale;
  }

  private observe(cell: MutableCell, o: GroupedObservation, slideBox: Box, reg: RegisteredFrame): void {
    const { frame } = reg;
    cell.observations++;
    cell.lastSeenSeq = frame.seq;
    cell.lastSeenMs = frame.timestampMs;
    cell.misses = 0;
    if (!reg.sharp) return; // blurred: presence only, no vote, no box
    if (o.edge) {
      // only a cut view so far: grow the estimate; a full view replaces it later
      if (cell.fullObservations === 0) cell.slideBox = union(cell.slideBox, slideBox);
      return;
    }
    cell.slideBox = cell.fullObservations === 0 ? slideBox : blend(cell.slideBox, slideBox, this.cfg.boxSmoothing);
    cell.fullObservations++;
    cell.scoreSum += o.score;
    for (const t of LEUKOCYTE_TYPES) cell.votes[t] += o.votes[t];
    if (o.score > cell.cropScore) {
      cell.cropScore = o.score;
      cell.crop = cropRgb(frame, o.frameBox);
    }
  }

  private result(reg: RegisteredFrame, detected: boolean, visible: TrackedFrame['visible'], folded: readonly CellFold[]): TrackedFrame {
    return { ...reg, detected, visible, cells: this.cells.map(snapshot), ...(folded.length > 0 ? { folded } : {}) };
  }
}

/**
 * Whether `a` stays rather than `b` when they are found to be one cell: a counted cell rather than an
 * uncounted one; of two counted cells, the one counted first; otherwise `b` (the cell already there).
 */
function countedFirst(a: MutableCell, b: MutableCell, countedAt: ReadonlyMap<number, number>): boolean {
  const at = countedAt.get(a.id);
  const bt = countedAt.get(b.id);
  return at !== undefined && (bt === undefined || at < bt);
}

/** `keep` takes `gone`'s views (the same cell seen on two maps); keep's box stays. */
function absorb(keep: MutableCell, gone: MutableCell): void {
  keep.observations += gone.observations;
  keep.fullObservations += gone.fullObservations;
  keep.scoreSum += gone.scoreSum;
  for (const t of LEUKOCYTE_TYPES) keep.votes[t] += gone.votes[t];
  if (gone.firstSeenSeq < keep.firstSeenSeq) {
    keep.firstSeenSeq = gone.firstSeenSeq;
    keep.firstSeenMs = gone.firstSeenMs;
  }
  if (gone.lastSeenSeq > keep.lastSeenSeq) {
    keep.lastSeenSeq = gone.lastSeenSeq;
    keep.lastSeenMs = gone.lastSeenMs;
  }
  if (gone.cropScore > keep.cropScore) {
    keep.crop = gone.crop;
    keep.cropScore = gone.cropScore;
  }
}

function snapshot(c: MutableCell): TrackedCell {
  let type: LeukocyteType | null = null;
  let best = 0;
  let total = 0;
  for (const t of LEUKOCYTE_TYPES) {
    total += c.votes[t];
    if (c.votes[t] > best) {
      best = c.votes[t];
      type = t;
    }
  }
  return {
    id: c.id,
    segment: c.segment,
    slideBox: c.slideBox,
    observations: c.observations,
    fullObservations: c.fullObservations,
    votes: { ...c.votes },
    type,
    typeConfidence: total > 0 ? best / total : 0,
    meanScore: c.fullObservations > 0 ? c.scoreSum / c.fullObservations : 0,
    firstSeenSeq: c.firstSeenSeq,
    lastSeenSeq: c.lastSeenSeq,
    firstSeenMs: c.firstSeenMs,
    lastSeenMs: c.lastSeenMs,
    misses: c.misses,
    crop: c.crop,
  };
}
