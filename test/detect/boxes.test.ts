import { describe, expect, it } from 'vitest';
import {
  cxcywhNormToXyxyPixels,
  xywhToXyxyPixels,
  xyxyPixelsToCxcywhNorm,
  xyxyToXywhPixels,
} from '../../src/detect/boxes.js';

const size = { width: 640, height: 480 };

describe('box conventions', () => {
  it('cxcywh normalised -> xyxy pixels of the frame', () => {
    // a box centred in the frame, half its width and a quarter of its height
    const xyxy = cxcywhNormToXyxyPixels({ kind: 'cxcywh-norm', data: Float32Array.of(0.5, 0.5, 0.5, 0.25) }, size);
    expect(Array.from(xyxy.data)).toEqual([160, 180, 480, 300]);
  });

  it('round-trips xyxy pixels -> cxcywh normalised -> xyxy pixels', () => {
    const data = Float32Array.of(0, 0, 640, 480, 10.5, 20.25, 30.75, 400, 600, 1, 639, 2);
    const back = cxcywhNormToXyxyPixels(xyxyPixelsToCxcywhNorm({ kind: 'xyxy-pixels', data }, size), size);
    for (let i = 0; i < data.length; i++) expect(back.data[i]).toBeCloseTo(data[i], 3);
  });

  it('round-trips cxcywh normalised -> xyxy pixels -> cxcywh normalised', () => {
    const data = Float32Array.of(0.1, 0.2, 0.05, 0.07, 0.9, 0.5, 0.2, 0.9);
    const back = xyxyPixelsToCxcywhNorm(cxcywhNormToXyxyPixels({ kind: 'cxcywh-norm', data }, size), size);
    for (let i = 0; i < data.length; i++) expect(back.data[i]).toBeCloseTo(data[i], 6);
  });

  it('xyxy <-> COCO xywh', () => {
    const xyxy = { kind: 'xyxy-pixels' as const, data: Float32Array.of(10, 20, 110, 70) };
    const xywh = xyxyToXywhPixels(xyxy);
    expect(Array.from(xywh.data)).toEqual([10, 20, 100, 50]);
    expect(Array.from(xywhToXyxyPixels(xywh).data)).toEqual([10, 20, 110, 70]);
  });
});
