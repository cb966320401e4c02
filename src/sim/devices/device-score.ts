import { LEUKOCYTE_TYPES, type LeukocyteType, isLeukocyteType } from '../../core/classes.js';
import { type DetectionsXyxyPixels, detectionRows } from '../../core/detections.js';
import { iou } from '../../track/box.js';
import type { Box } from '../../track/types.js';
import type { DeviceCell } from './types.js';

export interface MatchOptions {
  /** A detection matches a cell at this IoU or more. */
  readonly iou: number;
  /** Detections below this score are not counted (the pipeline's operating point). */
  readonly minScore: number;
}

export const MATCH_DEFAULTS: Pick<MatchOptions, 'iou'> = { iou: 0.5 };

/** Columns of the confusion matrix: the predicted type, or 'miss' (no leukocyte box at the IoU). */
export type Predicted = LeukocyteType | 'miss';
export type Confusion = Record<LeukocyteType, Record<Predicted, number>>;

/** Counts over the frames of one device. */
export interface DeviceTally {
  frames: number;
  /** Scored leukocytes (not ignored). */
  cells: number;
  /** Scored leukocytes matched by a leukocyte detection. */
  found: number;
  /** Leukocyte detections on no leukocyte (ignored cells excepted). */
  falsePositives: number;
  /** Rows: true type of typed scored leukocytes; columns: the matched detection's type, or 'miss'. */
  confusion: Confusion;
}

export function emptyTally(): DeviceTally {
  const row = () => Object.fromEntries([...LEUKOCYTE_TYPES, 'miss'].map((p) => [p, 0])) as Record<Predicted, number>;
  return { frames: 0, cells: 0, found: 0, falsePositives: 0, confusion: Object.fromEntries(LEUKOCYTE_TYPES.map((t) => [t, row()])) as Confusion };
}

/**
 * Matches one frame's leukocyte detections (any of the five types, score >= minScore) to its
 * cells, greedily by score: each detection takes the unmatched scored cell of best IoU >= the
 * threshold; else, if it overlaps an ignored cell that much, it is neither right nor wrong
 * (COCO's crowd rule); else it is a false positive. Adds to `tally` in place.
 */
export function tallyFrame(tally: DeviceTally, cells: readonly DeviceCell[], det: DetectionsXyxyPixels, options: MatchOptions): void {
  const rows = detectionRows(det)
    .filter((r) => r.score >= options.minScore && isLeukocyteType(r.className))
    .sort((a, b) => b.score - a.score);
  const scored = cells.filter((c) => !c.ignore);
  const ignored = cells.filter((c) => c.ignore);
  const matched: (LeukocyteType | null)[] = scored.map(() => null);
  const seen = new Set<string>();
  for (const r of rows) {
    // a query that scored several types gives the same box more than once: its best type counts
    const key = `${r.x1},${r.y1},${r.x2},${r.y2}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const box: Box = { x1: r.x1, y1: r.y1, x2: r.x2, y2: r.y2 };
    let best = -1;
    let bestIou = options.iou;
    scored.forEach((c, i) => {
      if (matched[i] !== null) return;
      const v = iou(box, c.box);
      if (v >= bestIou) {
        best = i;
        bestIou = v;
      }
    });
    if (best >= 0) matched[best] = r.className as LeukocyteType;
    else if (!ignored.some((c) => iou(box, c.box) >= options.iou)) tally.falsePositives++;
  }
  tally.frames++;
  tally.cells += scored.length;
  scored.forEach((c, i) => {
    if (matched[i] !== null) tally.found++;
    if (c.type !== null) tally.confusion[c.type][matched[i] ?? 'miss']++;
  });
}

export interface TallySummary {
  /** found / cells (NaN without cells). */
  readonly recall: number;
  /** Typed leukocytes found with the right type / typed leukocytes found (NaN without any). */
  readonly typeAccuracy: number;
  /** Typed leukocytes found (the type accuracy's denominator). */
  readonly typedFound: number;
  readonly falsePositivesPerFrame: number;
}

export function summariseTally(t: DeviceTally): TallySummary {
  let right = 0;
  let typedFound = 0;
  for (const truth of LEUKOCYTE_TYPES) {
    for (const p of LEUKOCYTE_TYPES) typedFound += t.confusion[truth][p];
    right += t.confusion[truth][truth];
  }
  return {
    recall: t.cells > 0 ? t.found / t.cells : Number.NaN,
    typeAccuracy: typedFound > 0 ? right / typedFound : Number.NaN,
    typedFound,
    falsePositivesPerFrame: t.frames > 0 ? t.falsePositives / t.frames : Number.NaN,
  };
}
