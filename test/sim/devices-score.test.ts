import { describe, expect, it } from 'vitest';
import { MODEL_CLASSES } from '../../src/core/classes.js';
import type { DetectionsXyxyPixels } from '../../src/core/detections.js';
import { emptyTally, summariseTally, tallyFrame } from '../../src/sim/devices/device-score.js';
import type { DeviceCell } from '../../src/sim/devices/types.js';

const cell = (x: number, type: DeviceCell['type'], ignore = false): DeviceCell => ({ box: { x1: x, y1: 0, x2: x + 100, y2: 100 }, type, field: 'f', ignore });

function dets(rows: { x: number; cls: string; score: number }[]): DetectionsXyxyPixels {
  return {
    kind: 'xyxy-pixels',
    imageWidth: 1000,
    imageHeight: 100,
    boxes: new Float32Array(rows.flatMap((r) => [r.x, 0, r.x + 100, 100])),
    scores: new Float32Array(rows.map((r) => r.score)),
    classIds: new Int32Array(rows.map((r) => MODEL_CLASSES.indexOf(r.cls as never))),
    classNames: MODEL_CLASSES,
  };
}

describe('tallyFrame: matching leukocyte detections to device cells at IoU 0.5', () => {
  const cells = [cell(0, 'NEU'), cell(200, 'LYM'), cell(400, null), cell(600, 'EOS', true)];
  const cases: { name: string; rows: { x: number; cls: string; score: number }[]; found: number; fp: number; right: number; typed: number; miss: number }[] = [
    // every scored cell found with its type; the untyped one counts for recall, not for type accuracy
    { name: 'all right', rows: [{ x: 0, cls: 'NEU', score: 0.9 }, { x: 200, cls: 'LYM', score: 0.9 }, { x: 400, cls: 'MON', score: 0.9 }], found: 3, fp: 0, right: 2, typed: 2, miss: 0 },
    // a box shifted by 40 px has IoU 60/140 < 0.5: a miss and a false positive
    { name: 'shifted box', rows: [{ x: 40, cls: 'NEU', score: 0.9 }], found: 0, fp: 1, right: 0, typed: 0, miss: 2 },
    // a detection on the ignored (cut) cell is neither right nor wrong
    { name: 'ignored cell', rows: [{ x: 600, cls: 'EOS', score: 0.9 }], found: 0, fp: 0, right: 0, typed: 0, miss: 2 },
    // below the operating score: not counted
    { name: 'low score', rows: [{ x: 0, cls: 'NEU', score: 0.05 }], found: 0, fp: 0, right: 0, typed: 0, miss: 2 },
    // red cells and platelets are not leukocyte detections
    { name: 'RBC box', rows: [{ x: 0, cls: 'RBC', score: 0.9 }], found: 0, fp: 0, right: 0, typed: 0, miss: 2 },
    // wrong type: found, typed, not right
    { name: 'wrong type', rows: [{ x: 0, cls: 'EOS', score: 0.9 }], found: 1, fp: 0, right: 0, typed: 1, miss: 1 },
    // the same box twice (two types of one query): the better score's type counts, no false positive
    { name: 'duplicate box', rows: [{ x: 0, cls: 'EOS', score: 0.4 }, { x: 0, cls: 'NEU', score: 0.8 }], found: 1, fp: 0, right: 1, typed: 1, miss: 1 },
    // two detections on one cell (other boxes): one match, one false positive
    { name: 'double detection', rows: [{ x: 0, cls: 'NEU', score: 0.8 }, { x: 5, cls: 'NEU', score: 0.7 }], found: 1, fp: 1, right: 1, typed: 1, miss: 1 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const t = emptyTally();
      tallyFrame(t, cells, dets(c.rows), { iou: 0.5, minScore: 0.15 });
      const s = summariseTally(t);
      expect(t.cells).toBe(3);
      expect(t.found).toBe(c.found);
      expect(t.falsePositives).toBe(c.fp);
      expect(s.typedFound).toBe(c.typed);
      expect(t.confusion.NEU.NEU + t.confusion.LYM.LYM).toBe(c.right);
      expect(t.confusion.NEU.miss + t.confusion.LYM.miss).toBe(c.miss);
      expect(s.recall).toBeCloseTo(c.found / 3, 9);
    });
  }

  it('summaries over frames: recall, type accuracy, false positives per frame', () => {
    const t = emptyTally();
    tallyFrame(t, cells, dets([{ x: 0, cls: 'NEU', score: 0.9 }, { x: 200, cls: 'MON', score: 0.9 }, { x: 800, cls: 'NEU', score: 0.9 }]), { iou: 0.5, minScore: 0.15 });
    tallyFrame(t, [], dets([{ x: 800, cls: 'BAS', score: 0.9 }]), { iou: 0.5, minScore: 0.15 });
    const s = summariseTally(t);
    expect(s.recall).toBeCloseTo(2 / 3, 9);
    expect(s.typeAccuracy).toBeCloseTo(0.5, 9);
    expect(s.falsePositivesPerFrame).toBe(1);
    expect(t.confusion.LYM.MON).toBe(1);
  });
});
