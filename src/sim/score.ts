import { LEUKOCYTE_TYPES, type LeukocyteType } from '../core/classes.js';
import { centre, diagonal, insideWithMargin } from '../track/box.js';
import type { CountedCell } from '../track/types.js';
import type { GroundTruth, SlideCell } from './types.js';

export interface ScoreOptions {
  /** A ground-truth cell is expected when fully in view in at least this many in-focus frames. */
  minFullFrames: number;
  /** Frames with a blur sigma above this are not in focus. */
  maxSharpSigma: number;
  /** A counted cell matches a ground-truth cell when its centre is within this fraction of the GT box diagonal. */
  matchFraction: number;
}

export const SCORE_DEFAULTS: ScoreOptions = { minFullFrames: 3, maxSharpSigma: 1, matchFraction: 0.5 };

export interface ScanScore {
  /** Scored ground-truth cells the camera showed fully and in focus (the recall denominator). */
  expected: number;
  /** Scored ground-truth cells never fully in view in enough in-focus frames (not expected; reported). */
  unseen: number;
  /** Expected cells counted at least once. */
  found: number;
  /** Counted cells matched to a scored ground-truth cell for the first time. */
  correct: number;
  /** Further counted cells on a ground-truth cell already counted. */
  doubleCounts: number;
  /** Counted cells on no ground-truth leukocyte. */
  falseCounts: number;
  /** Counted cells on an ignored ground-truth cell (untyped, cut, in a seam): not scored. */
  ignoredCounts: number;
  /** Correctly typed among `correct`. */
  typedRight: number;
  /** Per type: expected count (by GT type) and scored count (by counted type, ignored counts left out). */
  perType: Record<LeukocyteType, { truth: number; counted: number }>;
}

/**
 * Scores counted cells of one scan against the ground truth. Counted cells are
 * in segment coordinates; `segmentOrigins` gives each segment's mosaic offset
 * (the true pose of the segment's first frame).
 */
export function scoreScan(
  gt: Pick<GroundTruth, 'cells' | 'path' | 'options'>,
  counted: readonly CountedCell[],
  segmentOrigins: ReadonlyMap<number, { x: number; y: number }>,
  options: ScoreOptions = SCORE_DEFAULTS,
): ScanScore {
  const expected = expectedCells(gt, options);
  const expectedIds = new Set(expected.map((c) => c.id));
  const perType = Object.fromEntries(LEUKOCYTE_TYPES.map((t) => [t, { truth: 0, counted: 0 }])) as ScanScore['perType'];
  for (const c of expected) perType[c.type!].truth++;
  const hits = new Map<number, number>();
  let correct = 0;
  let doubleCounts = 0;
  let falseCounts = 0;
  let ignoredCounts = 0;
  let typedRight = 0;
  for (const cell of counted) {
    const o = segmentOrigins.get(cell.segment);
    if (!o) throw new Error(`scoreScan: no origin for segment ${cell.segment}`);
    const x = cell.slideX + o.x;
    const y = cell.slideY + o.y;
    let best: SlideCell | null = null;
    let bestD = Infinity;
    for (const g of gt.cells) {
      const c = centre(g.box);
      const d = Math.hypot(c.x - x, c.y - y);
      if (d <= options.matchFraction * diagonal(g.box) && d < bestD) {
        best = g;
        bestD = d;
      }
    }
    if (!best) {
      falseCounts++;
      perType[cell.type].counted++;
      continue;
    }
    if (best.ignore) {
      ignoredCounts++;
      continue;
    }
    perType[cell.type].counted++;
    const n = hits.get(best.id) ?? 0;
    hits.set(best.id, n + 1);
    if (n > 0) {
      doubleCounts++;
      continue;
    }
    correct++;
    if (cell.type === best.type) typedRight++;
  }
  const found = [...hits.keys()].filter((id) => expectedIds.has(id)).length;
  const scoredTotal = gt.cells.filter((c) => !c.ignore && c.type !== null).length;
  return { expected: expected.length, unseen: scoredTotal - expected.length, found, correct, doubleCounts, falseCounts, ignoredCounts, typedRight, perType };
}

/** Scored GT cells fully in view (3 px margin) in at least `minFullFrames` in-focus frames. */
export function expectedCells(gt: Pick<GroundTruth, 'cells' | 'path' | 'options'>, options: ScoreOptions = SCORE_DEFAULTS): SlideCell[] {
  const { frameWidth: w, frameHeight: h } = gt.options;
  return gt.cells.filter((c) => {
    if (c.ignore || c.type === null) return false;
    let n = 0;
    for (const p of gt.path) {
      if (p.blurSigma > options.maxSharpSigma) continue;
      if (insideWithMargin({ x1: p.x, y1: p.y, x2: p.x + w, y2: p.y + h }, c.box, 3) && ++n >= options.minFullFrames) return true;
    }
    return false;
  });
}

/** Sums per-scan scores. */
export function sumScores(scores: readonly ScanScore[]): ScanScore {
  const out: ScanScore = {
    expected: 0, unseen: 0, found: 0, correct: 0, doubleCounts: 0, falseCounts: 0, ignoredCounts: 0, typedRight: 0,
    perType: Object.fromEntries(LEUKOCYTE_TYPES.map((t) => [t, { truth: 0, counted: 0 }])) as ScanScore['perType'],
  };
  for (const s of scores) {
    out.expected += s.expected;
    out.unseen += s.unseen;
    out.found += s.found;
    out.correct += s.correct;
    out.doubleCounts += s.doubleCounts;
    out.falseCounts += s.falseCounts;
    out.ignoredCounts += s.ignoredCounts;
    out.typedRight += s.typedRight;
    for (const t of LEUKOCYTE_TYPES) {
      out.perType[t].truth += s.perType[t].truth;
      out.perType[t].counted += s.perType[t].counted;
    }
  }
  return out;
}

export interface ScoreSummary {
  recall: number;
  precision: number;
  doubleCountRate: number;
  truthTotal: number;
  countedTotal: number;
  /** (counted - truth) / truth, percent. */
  totalErrorPercent: number;
  /** Largest |counted% - truth%| over the five types, percentage points. */
  differentialErrorPoints: number;
  typeAccuracy: number;
}

export function summarise(s: ScanScore): ScoreSummary {
  const scored = s.correct + s.doubleCounts + s.falseCounts;
  const countedTotal = LEUKOCYTE_TYPES.reduce((a, t) => a + s.perType[t].counted, 0);
  const truthTotal = LEUKOCYTE_TYPES.reduce((a, t) => a + s.perType[t].truth, 0);
  let diff = 0;
  for (const t of LEUKOCYTE_TYPES) {
    const pc = countedTotal > 0 ? (100 * s.perType[t].counted) / countedTotal : 0;
    const pt = truthTotal > 0 ? (100 * s.perType[t].truth) / truthTotal : 0;
    diff = Math.max(diff, Math.abs(pc - pt));
  }
  return {
    recall: s.expected > 0 ? s.found / s.expected : 1,
    precision: scored > 0 ? s.correct / scored : 1,
    doubleCountRate: scored > 0 ? s.doubleCounts / scored : 0,
    truthTotal,
    countedTotal,
    totalErrorPercent: truthTotal > 0 ? (100 * (countedTotal - truthTotal)) / truthTotal : 0,
    differentialErrorPoints: diff,
    typeAccuracy: s.correct > 0 ? s.typedRight / s.correct : 0,
  };
}
