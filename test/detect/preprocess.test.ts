import { describe, expect, it } from 'vitest';
import { bilinearTaps, InputShapeError, preprocessRgb } from '../../src/detect/preprocess.js';

const unitNorm = { mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number], resize: 'stretch' as const };

// H=2, W=3 RGB image; channel c of pixel (x, y) given row-major.
const small = {
  width: 3,
  height: 2,
  rgb: Uint8Array.from([10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 110, 120, 130, 140, 150, 200, 210, 220]),
};

describe('preprocessRgb', () => {
  it('normalises (pixel/255 - mean)/std into NCHW planes', () => {
    const t = preprocessRgb(
      { width: 1, height: 1, rgb: Uint8Array.from([255, 0, 128]) },
      { input: { width: 1, height: 1 }, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], resize: 'stretch' },
    );
    expect(t.dims).toEqual([1, 3, 1, 1]);
    expect(t.data[0]).toBeCloseTo((1 - 0.485) / 0.229, 5);
    expect(t.data[1]).toBeCloseTo((0 - 0.456) / 0.224, 5);
    expect(t.data[2]).toBeCloseTo((128 / 255 - 0.406) / 0.225, 5);
  });

  it('lays out channels as planes (NCHW), not interleaved', () => {
    const t = preprocessRgb(small, { input: { width: 3, height: 2 }, ...unitNorm });
    const px = (v: number) => v / 255;
    // R plane, then G plane
    expect(Array.from(t.data.subarray(0, 6)).map((v) => +v.toFixed(5))).toEqual([10, 40, 70, 100, 130, 200].map((v) => +px(v).toFixed(5)));
    expect(t.data[6]).toBeCloseTo(px(20), 6);
  });

  // Expected values from torch.nn.functional.interpolate(mode='bilinear', align_corners=False)
  it('stretch-resizes up like PyTorch bilinear (half-pixel centres)', () => {
    const t = preprocessRgb(small, { input: { width: 5, height: 4 }, ...unitNorm });
    const torchR = [10, 22, 40, 58, 70, 32.5, 44.5, 62.5, 86.5, 102.5, 77.5, 89.5, 107.5, 143.5, 167.5, 100, 112, 130, 172, 200];
    const torchB = [30, 42, 60, 78, 90, 52.5, 64.5, 82.5, 106.5, 122.5, 97.5, 109.5, 127.5, 163.5, 187.5, 120, 132, 150, 192, 220];
    expect(Array.from(t.data.subarray(0, 20)).map((v) => v * 255)).toEqual(torchR.map((v) => expect.closeTo(v, 3)));
    expect(Array.from(t.data.subarray(40, 60)).map((v) => v * 255)).toEqual(torchB.map((v) => expect.closeTo(v, 3)));
  });

  it('stretch-resizes down like PyTorch bilinear without antialias', () => {
    const t = preprocessRgb(small, { input: { width: 2, height: 1 }, ...unitNorm });
    expect(Array.from(t.data).map((v) => v * 255)).toEqual([62.5, 122.5, 72.5, 132.5, 82.5, 142.5].map((v) => expect.closeTo(v, 3)));
  });

  it('keeps a uniform image uniform at any size', () => {
    const rgb = new Uint8Array(640 * 480 * 3).fill(77);
    const t = preprocessRgb({ width: 640, height: 480, rgb }, { input: { width: 512, height: 384 }, ...unitNorm });
    expect(t.dims).toEqual([1, 3, 384, 512]);
    expect(t.data.every((v) => Math.abs(v - 77 / 255) < 1e-6)).toBe(true);
  });

  it('bilinearTaps clamps at the edges', () => {
    const taps = bilinearTaps(4, 2);
    expect(Array.from(taps.i0)).toEqual([0, 2]);
    expect(Array.from(taps.w1)).toEqual([0.5, 0.5]);
  });

  it('BAD INPUT - wrong number of RGB bytes for the stated size', () => {
    expect(() => preprocessRgb({ width: 3, height: 2, rgb: new Uint8Array(17) }, { input: { width: 3, height: 2 }, ...unitNorm })).toThrow(
      new InputShapeError('image: expected 18 RGB bytes for 3x2, got 17'),
    );
  });

  it('BAD INPUT - zero size', () => {
    expect(() => preprocessRgb({ width: 0, height: 2, rgb: new Uint8Array(0) }, { input: { width: 3, height: 2 }, ...unitNorm })).toThrow(
      /size must be positive integers, got 0x2/,
    );
  });
});
