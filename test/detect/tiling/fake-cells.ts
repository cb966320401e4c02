/**
 * Test helpers: synthetic "cells" (solid blue rectangles on a plasma background) and a fake inner
 * Detector that sees them: it finds the blue blobs in whatever image it is given (a whole frame
 * or a tile's canvas) and reports their bounding boxes in that image's pixels, as a real detector
 * would report a cell cut by the image edge: clipped.
 */
import type { DetectionsXyxyPixels } from '../../../src/core/detections.js';
import type { Frame } from '../../../src/core/frame.js';
import type { ModelCard } from '../../../src/core/model-card.js';
import type { Detector } from '../../../src/detect/detector.js';

export const CLASSES = ['NEU', 'LYM', 'MON', 'EOS', 'BAS', 'RBC', 'Platelets'];
export const BACKGROUND: [number, number, number] = [204, 206, 200];

export type Box = readonly [number, number, number, number];

export function frameWithCells(width: number, height: number, cells: readonly Box[], seq = 0): Frame {
  const rgb = new Uint8Array(width * height * 3);
  for (let p = 0; p < width * height; p++) rgb.set(BACKGROUND, p * 3);
  for (const [x1, y1, x2, y2] of cells) {
    for (let y = Math.max(0, y1); y < Math.min(height, y2); y++) for (let x = Math.max(0, x1); x < Math.min(width, x2); x++) rgb.set([0, 0, 255], (y * width + x) * 3);
  }
  return { seq, timestampMs: seq, width, height, rgb };
}

/** Bounding boxes of 4-connected blue blobs, scored by area, as NEU (class 0). */
export function findBlobs(img: { width: number; height: number; rgb: Uint8Array }): Box[] {
  const { width: w, height: h, rgb } = img;
  const seen = new Uint8Array(w * h);
  const out: Box[] = [];
  const blue = (p: number) => rgb[p * 3] === 0 && rgb[p * 3 + 2] === 255;
  for (let s = 0; s < w * h; s++) {
    if (seen[s] || !blue(s)) continue;
    let x1 = w, y1 = h, x2 = 0, y2 = 0;
    const stack = [s];
    seen[s] = 1;
    while (stack.length) {
      const p = stack.pop()!;
      const x = p % w, y = (p - x) / w;
      x1 = Math.min(x1, x); y1 = Math.min(y1, y); x2 = Math.max(x2, x + 1); y2 = Math.max(y2, y + 1);
      for (const q of [x > 0 ? p - 1 : -1, x < w - 1 ? p + 1 : -1, y > 0 ? p - w : -1, y < h - 1 ? p + w : -1]) {
        if (q >= 0 && !seen[q] && blue(q)) {
          seen[q] = 1;
          stack.push(q);
        }
      }
    }
    out.push([x1, y1, x2, y2]);
  }
  return out;
}

export function detectionsOf(boxes: readonly Box[], width: number, height: number): DetectionsXyxyPixels {
  const scores = Float32Array.from(boxes, (b) => Math.min(0.99, ((b[2] - b[0]) * (b[3] - b[1])) / 1e5 + 0.5));
  const order = [...boxes.keys()].sort((a, b) => scores[b] - scores[a]);
  return {
    kind: 'xyxy-pixels',
    imageWidth: width,
    imageHeight: height,
    boxes: Float32Array.from(order.flatMap((i) => [...boxes[i]])),
    scores: Float32Array.from(order, (i) => scores[i]),
    classIds: new Int32Array(boxes.length),
    classNames: CLASSES,
  };
}

export function fakeCard(input = { width: 512, height: 384 }): ModelCard {
  return {
    name: 'fake',
    classes: CLASSES,
    input,
    resize: 'stretch',
    mean: [0, 0, 0],
    std: [1, 1, 1],
    colourReference: { labMean: [0, 0, 0], labStd: [1, 1, 1], backgroundRgb: BACKGROUND },
    outputs: { logits: 'logits', boxes: 'boxes', boxConvention: 'cxcywh-normalised' },
    numQueries: 100,
    postprocess: { nmsIou: 0.7, nmsGroups: [['NEU', 'LYM', 'MON', 'EOS', 'BAS']] },
    trainingData: [],
    config: {},
    metrics: {},
    date: '2026-12-04',
  };
}

/** A Detector that sees the blue blobs; records the size of every image it was given. */
export class BlobDetector implements Detector {
  readonly card: ModelCard;
  readonly provider = { name: 'cpu' as const, reason: 'fake' };
  readonly seen: { width: number; height: number }[] = [];
  released = false;
  constructor(card = fakeCard()) {
    this.card = card;
  }
  async detect(frame: Frame): Promise<DetectionsXyxyPixels> {
    this.seen.push({ width: frame.width, height: frame.height });
    return detectionsOf(findBlobs(frame), frame.width, frame.height);
  }
  async release(): Promise<void> {
    this.released = true;
  }
}
