import { describe, expect, it } from 'vitest';
import { evaluateCoco, iouXywh, type BboxXywh, type DetectionBox, type GroundTruthBox } from '../../src/eval/coco-eval.js';

const gt = (imageId: string, bbox: BboxXywh, category = 'A', extra: Partial<GroundTruthBox> = {}): GroundTruthBox => ({ imageId, category, bbox, ...extra });
const dt = (imageId: string, bbox: BboxXywh, score: number, category = 'A'): DetectionBox => ({ imageId, category, bbox, score });
const ds = (groundTruth: GroundTruthBox[], imageIds = [...new Set(groundTruth.map((g) => g.imageId))], categories = ['A']) => ({ imageIds, categories, groundTruth });

// 101 recall thresholds 0, .01, ..., 1: a precision curve that is p1 up to recall r1 and p2 after
// gives AP = (count(thr <= r1) * p1 + count(thr > r1) * p2) / 101.
describe('evaluateCoco (pycocotools rules), hand-made cases with known answers', () => {
  it('iouXywh', () => {
    expect(iouXywh([0, 0, 10, 10], [5, 0, 10, 10])).toBeCloseTo(50 / 150, 12);
    expect(iouXywh([0, 0, 10, 10], [20, 20, 5, 5])).toBe(0);
    // crowd: intersection over the detection's area
    expect(iouXywh([0, 0, 10, 10], [0, 0, 100, 100], true)).toBe(1);
  });

  it('one perfect detection: every AP is 100', () => {
    const s = evaluateCoco(ds([gt('i1', [10, 10, 50, 50])]), [dt('i1', [10, 10, 50, 50], 0.9)]);
    expect([s.AP, s.AP50, s.AP75, s.AR]).toEqual([100, 100, 100, 100]);
    // 50x50 = 2500 px: medium; no small or large ground truth -> -1
    expect([s.APs, s.APm, s.APl]).toEqual([-1, 100, -1]);
  });

  it('IoU 0.72 counts at thresholds .50 to .70 only: AP 50, AP50 100, AP75 0', () => {
    // gt [0,0,100,100]; det [0,0,100,72] -> IoU 0.72
    const s = evaluateCoco(ds([gt('i1', [0, 0, 100, 100])]), [dt('i1', [0, 0, 100, 72], 0.8)]);
    expect(s.AP).toBeCloseTo(50, 10);
    expect(s.AP50).toBe(100);
    expect(s.AP75).toBe(0);
  });

  it('a false positive ranked between two true positives', () => {
    // recall/precision: (.5, 1), (.5, .5), (1, 2/3) -> envelope 1 up to recall .5, then 2/3
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10]), gt('i1', [50, 50, 10, 10])]), [
      dt('i1', [0, 0, 10, 10], 0.9),
      dt('i1', [200, 200, 10, 10], 0.8),
      dt('i1', [50, 50, 10, 10], 0.7),
    ]);
    expect(s.AP).toBeCloseTo(((51 * 1 + 50 * (2 / 3)) / 101) * 100, 10);
  });

  it('a duplicate detection after the true positive does not lower AP', () => {
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10])]), [dt('i1', [0, 0, 10, 10], 0.9), dt('i1', [0, 0, 10, 10], 0.8)]);
    expect(s.AP).toBe(100);
  });

  it('a duplicate ranked above the true positive does (it is a false positive first)', () => {
    // the higher-scored box matches; the lower one is the FP: same as above, 100
    // but a poorer box scored higher than the exact one takes the match at IoU .5 only
    const s = evaluateCoco(ds([gt('i1', [0, 0, 100, 100])]), [dt('i1', [0, 0, 100, 60], 0.9), dt('i1', [0, 0, 100, 100], 0.8)]);
    // thresholds .5,.55,.6: first det (IoU .6) matches, second is FP -> precision 1 at full recall
    // thresholds .65..95: first is FP, second matches -> precision .5 at full recall
    expect(s.AP).toBeCloseTo((3 * 100 + 7 * 50) / 10, 10);
  });

  it('a missed ground truth caps recall: AP = 51/101', () => {
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10]), gt('i2', [0, 0, 10, 10])]), [dt('i1', [0, 0, 10, 10], 0.9)]);
    expect(s.AP).toBeCloseTo((51 / 101) * 100, 10);
    expect(s.AR).toBeCloseTo(50, 10);
  });

  it('detections on an image with no ground truth of that class are false positives', () => {
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10])], ['i1', 'i2']), [dt('i2', [0, 0, 10, 10], 0.95), dt('i1', [0, 0, 10, 10], 0.5)]);
    // (0, 0) then (1, .5): envelope .5 everywhere
    expect(s.AP).toBeCloseTo(50, 10);
  });

  it('detections on images outside the dataset are ignored', () => {
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10])]), [dt('other', [0, 0, 10, 10], 0.95), dt('i1', [0, 0, 10, 10], 0.5)]);
    expect(s.AP).toBe(100);
  });

  it('classes are matched separately; a class with no ground truth is -1 and left out of the mean', () => {
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10], 'A'), gt('i1', [30, 30, 10, 10], 'B')], ['i1'], ['A', 'B', 'C']), [
      dt('i1', [0, 0, 10, 10], 0.9, 'A'),
      dt('i1', [30, 30, 10, 10], 0.9, 'A'), // right place, wrong class
      dt('i1', [50, 50, 10, 10], 0.9, 'C'),
    ]);
    const byCat = Object.fromEntries(s.perCategory.map((c) => [c.category, c.AP]));
    expect(byCat).toEqual({ A: 100, B: 0, C: -1 });
    expect(s.AP).toBe(50);
  });

  it('maxDets 100 per image and class: a true positive ranked 101st is cut', () => {
    const fps = Array.from({ length: 100 }, (_, i) => dt('i1', [500 + i * 20, 500, 10, 10], 0.9));
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10])]), [...fps, dt('i1', [0, 0, 10, 10], 0.1)]);
    expect(s.AP).toBe(0);
    const s10 = evaluateCoco(ds([gt('i1', [0, 0, 10, 10])]), [...fps.slice(0, 99), dt('i1', [0, 0, 10, 10], 0.1)]);
    expect(s10.AP).toBeCloseTo(1, 10); // precision 1/100 at recall 1
  });

  it('area ranges: small ground truth is ignored for APl, and unmatched small detections too', () => {
    const data = ds([gt('i1', [0, 0, 20, 20]), gt('i1', [100, 100, 120, 120])]);
    const s = evaluateCoco(data, [dt('i1', [0, 0, 20, 20], 0.9), dt('i1', [100, 100, 120, 120], 0.8), dt('i1', [300, 300, 5, 5], 0.95)]);
    expect(s.APl).toBe(100); // the small FP and the small TP are ignored in 'large'
    expect(s.APm).toBe(-1);
    // 'small': FP (.95) first, then TP: precision .5 at recall 1
    expect(s.APs).toBeCloseTo(50, 10);
  });

  it('crowd ground truth is ignored, and detections matching it are not false positives', () => {
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10]), gt('i1', [100, 100, 50, 50], 'A', { iscrowd: true })]), [
      dt('i1', [100, 100, 20, 20], 0.95),
      dt('i1', [110, 110, 20, 20], 0.94),
      dt('i1', [0, 0, 10, 10], 0.5),
    ]);
    expect(s.AP).toBe(100);
    expect(s.perCategory[0].numGroundTruth).toBe(1);
  });

  it('equal scores keep input order (stable sort, as numpy mergesort)', () => {
    const data = ds([gt('i1', [0, 0, 10, 10])]);
    const fp = dt('i1', [50, 50, 10, 10], 0.5);
    const tp = dt('i1', [0, 0, 10, 10], 0.5);
    expect(evaluateCoco(data, [tp, fp]).AP).toBe(100);
    expect(evaluateCoco(data, [fp, tp]).AP).toBeCloseTo(50, 10);
  });

  it('no detections at all: AP 0, not -1', () => {
    const s = evaluateCoco(ds([gt('i1', [0, 0, 10, 10])]), []);
    expect(s.AP).toBe(0);
    expect(s.AR).toBe(0);
  });
});
