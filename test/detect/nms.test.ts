import { describe, expect, it } from 'vitest';
import { nmsFromCard, nmsSorted } from '../../src/detect/nms.js';

const box = (x1: number, y1: number, x2: number, y2: number) => [x1, y1, x2, y2];

describe('nmsSorted (greedy, class-grouped)', () => {
  const cases: { name: string; boxes: number[][]; ids: number[]; iou: number; groups: number[]; kept: number[] }[] = [
    { name: 'identical boxes, one group: only the first survives', boxes: [box(0, 0, 10, 10), box(0, 0, 10, 10)], ids: [0, 1], iou: 0.7, groups: [0, 0], kept: [0] },
    { name: 'identical boxes, two groups: both survive', boxes: [box(0, 0, 10, 10), box(0, 0, 10, 10)], ids: [0, 1], iou: 0.7, groups: [0, 1], kept: [0, 1] },
    { name: 'IoU 0.5 is kept at threshold 0.7', boxes: [box(0, 0, 10, 10), box(0, 0, 10, 5)], ids: [0, 0], iou: 0.7, groups: [0], kept: [0, 1] },
    { name: 'IoU 0.5 is removed at threshold 0.4', boxes: [box(0, 0, 10, 10), box(0, 0, 10, 5)], ids: [0, 0], iou: 0.4, groups: [0], kept: [0] },
    { name: 'a suppressed box suppresses nothing (chain a-b-c)', boxes: [box(0, 0, 10, 10), box(3, 0, 13, 10), box(6, 0, 16, 10)], ids: [0, 0, 0], iou: 0.5, groups: [0], kept: [0, 2] },
    { name: 'disjoint boxes all survive', boxes: [box(0, 0, 10, 10), box(20, 20, 30, 30)], ids: [0, 0], iou: 0.1, groups: [0], kept: [0, 1] },
    { name: 'empty input', boxes: [], ids: [], iou: 0.7, groups: [0], kept: [] },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const kept = nmsSorted(Float32Array.from(c.boxes.flat()), Int32Array.from(c.ids), { iou: c.iou, groupOfClass: c.groups });
      expect(kept).toEqual(c.kept);
    });
  }
});

describe('nmsFromCard', () => {
  it('puts the named classes in one group and every other class in its own', () => {
    const nms = nmsFromCard({ classes: ['NEU', 'LYM', 'RBC', 'Platelets'], postprocess: { nmsIou: 0.7, nmsGroups: [['NEU', 'LYM']] } });
    expect(nms?.iou).toBe(0.7);
    const g = nms!.groupOfClass;
    expect(g[0]).toBe(g[1]);
    expect(new Set(g).size).toBe(3);
  });

  it('no postprocess block: no NMS', () => {
    expect(nmsFromCard({ classes: ['A'] })).toBeUndefined();
  });
});
