/**
 * COCO bounding-box evaluation with pycocotools' rules (COCOeval, iouType
 * 'bbox'), as a pure module:
 * - IoU thresholds .50:.05:.95, recall thresholds 0:.01:1 (101-point interpolation);
 * - per image and category, detections sorted by score (stable) and cut to maxDets;
 * - greedy matching: each detection takes the best-IoU ground truth not yet
 *   matched, preferring non-ignored ground truth; crowd ground truth can match many;
 * - area ranges all / small (< 32^2) / medium / large (>= 96^2): ground truth
 *   outside the range is ignored, and so are unmatched detections outside it;
 * - precision made monotone, then sampled at the recall thresholds;
 * - a mean over every precision value that is not -1 (no ground truth).
 */
import type { EvalConfig } from './config.js';
import { EVAL_DEFAULTS } from './config.js';

/** [x, y, w, h] in pixels, top-left corner. */
export type BboxXywh = readonly [number, number, number, number];

export interface GroundTruthBox {
  readonly imageId: string;
  readonly category: string;
  readonly bbox: BboxXywh;
  /** pycocotools uses the annotation's `area`; w * h when not given. */
  readonly area?: number;
  readonly iscrowd?: boolean;
}

export interface DetectionBox {
  readonly imageId: string;
  readonly category: string;
  readonly bbox: BboxXywh;
  readonly score: number;
}

export interface EvalDataset {
  /** Every image evaluated, including those with no ground truth. */
  readonly imageIds: readonly string[];
  /** Categories evaluated (pycocotools: the ground truth's category list). */
  readonly categories: readonly string[];
  readonly groundTruth: readonly GroundTruthBox[];
}

export interface CategoryResult {
  readonly category: string;
  /** Ground-truth boxes (not crowd) over all images. */
  readonly numGroundTruth: number;
  readonly numDetections: number;
  /** Percent; -1 where the category has no ground truth. */
  readonly AP: number;
  readonly AP50: number;
  readonly AP75: number;
}

export interface CocoSummary {
  /** Percent, pycocotools' stats[0..5] and stats[8] (AR@maxDets). -1 where undefined. */
  readonly AP: number;
  readonly AP50: number;
  readonly AP75: number;
  readonly APs: number;
  readonly APm: number;
  readonly APl: number;
  readonly AR: number;
  readonly perCategory: readonly CategoryResult[];
}

type Range = readonly [number, number];

/** pycocotools maskUtils.iou for boxes: plain IoU, or intersection / detection area for crowd ground truth. */
export function iouXywh(d: BboxXywh, g: BboxXywh, crowd = false): number {
  const iw = Math.min(d[0] + d[2], g[0] + g[2]) - Math.max(d[0], g[0]);
  if (iw <= 0) return 0;
  const ih = Math.min(d[1] + d[3], g[1] + g[3]) - Math.max(d[1], g[1]);
  if (ih <= 0) return 0;
  const inter = iw * ih;
  const union = crowd ? d[2] * d[3] : d[2] * d[3] + g[2] * g[3] - inter;
  return union > 0 ? inter / union : 0;
}

interface ImageEval {
  /** Scores of the kept detections, sorted descending. [D] */
  readonly scores: number[];
  /** [T][D] matched to a ground truth */
  readonly matched: boolean[][];
  /** [T][D] ignored */
  readonly ignored: boolean[][];
  /** Non-ignored ground truth count. */
  readonly numGt: number;
}

function stableSortIndices(n: number, key: (i: number) => number): number[] {
  const idx = Array.from({ length: n }, (_, i) => i);
  return idx.sort((a, b) => key(a) - key(b) || a - b);
}

/** pycocotools COCOeval.evaluateImg for one image, one category, one area range. */
function evaluateImage(gts: readonly GroundTruthBox[], dts: readonly DetectionBox[], area: Range, maxDets: number, iouThrs: readonly number[]): ImageEval {
  const gtArea = (g: GroundTruthBox) => g.area ?? g.bbox[2] * g.bbox[3];
  const gIgnoreRaw = gts.map((g) => (g.iscrowd ?? false) || gtArea(g) < area[0] || gtArea(g) > area[1]);
  const gOrder = stableSortIndices(gts.length, (i) => (gIgnoreRaw[i] ? 1 : 0));
  const gt = gOrder.map((i) => gts[i]);
  const gIgnore = gOrder.map((i) => gIgnoreRaw[i]);
  const dOrder = stableSortIndices(dts.length, (i) => -dts[i].score).slice(0, maxDets);
  const dt = dOrder.map((i) => dts[i]);

  const T = iouThrs.length;
  const D = dt.length;
  const G = gt.length;
  const ious = dt.map((d) => gt.map((g) => iouXywh(d.bbox, g.bbox, g.iscrowd ?? false)));
  const gtMatched: boolean[][] = Array.from({ length: T }, () => new Array<boolean>(G).fill(false));
  const matched: boolean[][] = Array.from({ length: T }, () => new Array<boolean>(D).fill(false));
  const ignored: boolean[][] = Array.from({ length: T }, () => new Array<boolean>(D).fill(false));

  for (let t = 0; t < T; t++) {
    for (let di = 0; di < D; di++) {
      let best = Math.min(iouThrs[t], 1 - 1e-10);
      let m = -1;
      for (let gi = 0; gi < G; gi++) {
        if (gtMatched[t][gi] && !(gt[gi].iscrowd ?? false)) continue;
        if (m > -1 && !gIgnore[m] && gIgnore[gi]) break;
        if (ious[di][gi] < best) continue;
        best = ious[di][gi];
        m = gi;
      }
      if (m === -1) continue;
      ignored[t][di] = gIgnore[m];
      matched[t][di] = true;
      gtMatched[t][m] = true;
    }
  }
  for (let di = 0; di < D; di++) {
    const a = dt[di].bbox[2] * dt[di].bbox[3];
    const outside = a < area[0] || a > area[1];
    for (let t = 0; t < T; t++) if (!matched[t][di] && outside) ignored[t][di] = true;
  }
  return { scores: dt.map((d) => d.score), matched, ignored, numGt: gIgnore.filter((x) => !x).length };
}

/**
 * pycocotools COCOeval.accumulate for one category and area range.
 * -> precision [T][R] (-1 where no ground truth) and recall [T].
 */
function accumulate(evals: readonly ImageEval[], iouThrs: readonly number[], recThrs: readonly number[]): { precision: number[][]; recall: number[] } {
  const T = iouThrs.length;
  const numGt = evals.reduce((s, e) => s + e.numGt, 0);
  if (numGt === 0) {
    return { precision: iouThrs.map(() => recThrs.map(() => -1)), recall: iouThrs.map(() => -1) };
  }
  const scores: number[] = [];
  const owner: [number, number][] = [];
  evals.forEach((e, ei) => e.scores.forEach((s, di) => (scores.push(s), owner.push([ei, di]))));
  const order = stableSortIndices(scores.length, (i) => -scores[i]);
  const precision: number[][] = [];
  const recall: number[] = [];
  for (let t = 0; t < T; t++) {
    const rc: number[] = [];
    const pr: number[] = [];
    let tp = 0;
    let fp = 0;
    for (const i of order) {
      const [ei, di] = owner[i];
      const ig = evals[ei].ignored[t][di];
      const m = evals[ei].matched[t][di];
      if (ig) {
        // pycocotools keeps ignored detections in the arrays without counting them
      } else if (m) tp++;
      else fp++;
      rc.push(tp / numGt);
      pr.push(tp / Math.max(tp + fp, Number.EPSILON));
    }
    recall.push(rc.length > 0 ? rc[rc.length - 1] : 0);
    for (let i = pr.length - 1; i > 0; i--) if (pr[i] > pr[i - 1]) pr[i - 1] = pr[i];
    precision.push(
      recThrs.map((r) => {
        // np.searchsorted(rc, r, side='left'): first index with rc[i] >= r
        let lo = 0;
        let hi = rc.length;
        while (lo < hi) {
          const mid = (lo + hi) >> 1;
          if (rc[mid] < r) lo = mid + 1;
          else hi = mid;
        }
        return lo < pr.length ? pr[lo] : 0;
      }),
    );
  }
  return { precision, recall };
}

function meanValid(values: Iterable<number>): number {
  let s = 0;
  let n = 0;
  for (const v of values) if (v > -1) (s += v), n++;
  return n > 0 ? (s / n) * 100 : -1;
}

function groupBy<T extends { imageId: string; category: string }>(items: readonly T[]): Map<string, T[]> {
  const m = new Map<string, T[]>();
  for (const it of items) {
    const k = `${it.category}\u0000${it.imageId}`;
    let list = m.get(k);
    if (!list) m.set(k, (list = []));
    list.push(it);
  }
  return m;
}

/**
 * Evaluates detections against a dataset. Detections on images or categories
 * outside the dataset are ignored, as in pycocotools.
 */
export function evaluateCoco(dataset: EvalDataset, detections: readonly DetectionBox[], config: Partial<EvalConfig> = {}): CocoSummary {
  const cfg = { ...EVAL_DEFAULTS, ...config };
  const iouThrs = cfg.iouThresholds;
  const recThrs = cfg.recallThresholds;
  const imageIds = [...new Set(dataset.imageIds)].sort();
  const gtBy = groupBy(dataset.groundTruth);
  const dtBy = groupBy(detections);
  const areaNames = Object.keys(cfg.areaRanges) as (keyof EvalConfig['areaRanges'])[];
  const t50 = iouThrs.findIndex((t) => Math.abs(t - 0.5) < 1e-9);
  const t75 = iouThrs.findIndex((t) => Math.abs(t - 0.75) < 1e-9);

  const prec: Record<string, number[][][]> = {};
  const rec: Record<string, number[][]> = {};
  const perCategory: CategoryResult[] = [];
  for (const area of areaNames) {
    prec[area] = [];
    rec[area] = [];
    for (const cat of dataset.categories) {
      const evals = imageIds.map((img) => {
        const k = `${cat}\u0000${img}`;
        return evaluateImage(gtBy.get(k) ?? [], dtBy.get(k) ?? [], cfg.areaRanges[area], cfg.maxDets, iouThrs);
      });
      const acc = accumulate(evals, iouThrs, recThrs);
      prec[area].push(acc.precision);
      rec[area].push(acc.recall);
    }
  }
  const allP = prec.all;
  dataset.categories.forEach((cat, k) => {
    const p = allP[k];
    const img = new Set(imageIds);
    perCategory.push({
      category: cat,
      numGroundTruth: dataset.groundTruth.filter((g) => g.category === cat && img.has(g.imageId) && !(g.iscrowd ?? false)).length,
      numDetections: detections.filter((d) => d.category === cat && img.has(d.imageId)).length,
      AP: meanValid(p.flat()),
      AP50: t50 >= 0 ? meanValid(p[t50]) : -1,
      AP75: t75 >= 0 ? meanValid(p[t75]) : -1,
    });
  });
  const flatAll = (area: string, t?: number) => prec[area].flatMap((p) => (t === undefined ? p.flat() : p[t]));
  return {
    AP: meanValid(flatAll('all')),
    AP50: t50 >= 0 ? meanValid(flatAll('all', t50)) : -1,
    AP75: t75 >= 0 ? meanValid(flatAll('all', t75)) : -1,
    APs: meanValid(flatAll('small')),
    APm: meanValid(flatAll('medium')),
    APl: meanValid(flatAll('large')),
    AR: meanValid(rec.all.flat()),
    perCategory,
  };
}
