import { describe, expect, it } from 'vitest';
import { OutputShapeError, postprocessDetr, sigmoid } from '../../src/detect/postprocess.js';

const classNames = ['A', 'B', 'C'];
const logit = (p: number) => Math.log(p / (1 - p));

// Q = 3 queries x C = 3 classes; logits query-major.
const logits = Float32Array.from([
  // q0: strongly B, also a bit A
  logit(0.2), logit(0.9), logit(0.05),
  // q1: C
  logit(0.01), logit(0.02), logit(0.7),
  // q2: A and B both likely (DETR's sigmoid head can score one query for two classes)
  logit(0.6), logit(0.55), logit(0.01),
]);
const boxes = Float32Array.from([
  0.5, 0.5, 0.2, 0.2, // q0
  0.25, 0.25, 0.1, 0.1, // q1
  0.75, 0.5, 0.5, 1.0, // q2
]);
const out = { logits, boxes, numQueries: 3, numClasses: 3 };
const imageSize = { width: 200, height: 100 };

describe('postprocessDetr (Deformable-DETR PostProcess)', () => {
  it('scores with a sigmoid, with no background class, sorted by score', () => {
    const d = postprocessDetr(out, { imageSize, classNames, topK: 100, scoreThreshold: 0.5 });
    expect(Array.from(d.scores).map((s) => +s.toFixed(4))).toEqual([0.9, 0.7, 0.6, 0.55]);
    expect(Array.from(d.classIds)).toEqual([1, 2, 0, 1]);
  });

  it('takes top-k over queries x classes: one query can yield two labels', () => {
    const d = postprocessDetr(out, { imageSize, classNames, topK: 4, scoreThreshold: 0 });
    // q2 appears twice (A 0.6, B 0.55) with the same box
    expect(Array.from(d.boxes.subarray(8, 12))).toEqual(Array.from(d.boxes.subarray(12, 16)));
    expect(Array.from(d.boxes.subarray(8, 12))).toEqual([100, 0, 200, 100]);
  });

  it('top-k limits the count before the threshold', () => {
    const d = postprocessDetr(out, { imageSize, classNames, topK: 2, scoreThreshold: 0 });
    expect(d.scores.length).toBe(2);
    expect(Array.from(d.classIds)).toEqual([1, 2]);
  });

  it('maps cxcywh normalised boxes to xyxy pixels of the original frame', () => {
    const d = postprocessDetr(out, { imageSize, classNames, topK: 1, scoreThreshold: 0 });
    expect(d.kind).toBe('xyxy-pixels');
    expect(d.imageWidth).toBe(200);
    expect(d.imageHeight).toBe(100);
    // q0: cx .5 cy .5 w .2 h .2 on 200x100
    expect(Array.from(d.boxes)).toEqual([80, 40, 120, 60]);
  });

  it('returns no detections when nothing passes the threshold', () => {
    const d = postprocessDetr(out, { imageSize, classNames, topK: 100, scoreThreshold: 0.95 });
    expect(d.scores.length).toBe(0);
    expect(d.boxes.length).toBe(0);
  });

  it('NMS with A and B in one group keeps one label per box (the best), C untouched', () => {
    const nms = { iou: 0.7, groupOfClass: [0, 0, 1] };
    const d = postprocessDetr(out, { imageSize, classNames, topK: 100, scoreThreshold: 0.5, nms });
    expect(Array.from(d.scores).map((s) => +s.toFixed(4))).toEqual([0.9, 0.7, 0.6]);
    expect(Array.from(d.classIds)).toEqual([1, 2, 0]);
    expect(d.boxes.length).toBe(12);
    expect(Array.from(d.boxes.subarray(8, 12))).toEqual([100, 0, 200, 100]);
  });

  it('NMS with every class in its own group keeps the same box under two classes', () => {
    const nms = { iou: 0.7, groupOfClass: [0, 1, 2] };
    const d = postprocessDetr(out, { imageSize, classNames, topK: 100, scoreThreshold: 0.5, nms });
    expect(Array.from(d.classIds)).toEqual([1, 2, 0, 1]);
  });

  it('sigmoid', () => {
    expect(sigmoid(0)).toBe(0.5);
    expect(sigmoid(logit(0.25))).toBeCloseTo(0.25, 12);
  });

  it('BAD OUTPUT - logits shorter than Q*C names the mismatch', () => {
    expect(() => postprocessDetr({ ...out, logits: new Float32Array(8) }, { imageSize, classNames, topK: 5, scoreThreshold: 0 })).toThrow(
      new OutputShapeError('logits has 8 values, expected Q*C = 3*3'),
    );
  });

  it('BAD OUTPUT - card names a different number of classes', () => {
    expect(() => postprocessDetr(out, { imageSize, classNames: ['A', 'B'], topK: 5, scoreThreshold: 0 })).toThrow(
      /model has 3 classes but the card names 2/,
    );
  });
});
