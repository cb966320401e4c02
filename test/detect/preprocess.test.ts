import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { InputShapeError, preprocessRgb } from '../../src/detect/preprocess.js';
import { resizeRgbPilBilinear } from '../../src/detect/resize-pil.js';
import { FIXTURES } from './helpers.js';

interface PilFixture {
  width: number;
  height: number;
  rgb: number[];
  resized: { width: number; height: number; rgb: number[] }[];
}
const pil = JSON.parse(readFileSync(join(FIXTURES, 'pil-resize.json'), 'utf8')) as PilFixture;

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

  // Expected pixels from Pillow's Image.resize(BILINEAR), what training uses
  // (fixtures/make_pil_resize.py): exact, byte for byte, up and down, one or both axes.
  for (const r of pil.resized) {
    it(`stretch-resizes 13x9 -> ${r.width}x${r.height} exactly like Pillow BILINEAR`, () => {
      const out = resizeRgbPilBilinear({ width: pil.width, height: pil.height, rgb: Uint8Array.from(pil.rgb) }, r.width, r.height);
      expect([out.width, out.height]).toEqual([r.width, r.height]);
      expect(Array.from(out.rgb)).toEqual(r.rgb);
    });
  }

  it('resizes then normalises (the tensor is the Pillow-resized pixels / 255 with unit mean/std)', () => {
    const r = pil.resized[0];
    const t = preprocessRgb({ width: pil.width, height: pil.height, rgb: Uint8Array.from(pil.rgb) }, { input: { width: r.width, height: r.height }, ...unitNorm });
    expect(t.dims).toEqual([1, 3, r.height, r.width]);
    const plane = r.width * r.height;
    for (let p = 0; p < plane; p++) {
      expect(t.data[p] * 255).toBeCloseTo(r.rgb[p * 3], 3);
      expect(t.data[2 * plane + p] * 255).toBeCloseTo(r.rgb[p * 3 + 2], 3);
    }
  });

  it('keeps a uniform image uniform at any size', () => {
    const rgb = new Uint8Array(640 * 480 * 3).fill(77);
    const t = preprocessRgb({ width: 640, height: 480, rgb }, { input: { width: 512, height: 384 }, ...unitNorm });
    expect(t.dims).toEqual([1, 3, 384, 512]);
    expect(t.data.every((v) => Math.abs(v - 77 / 255) < 1e-6)).toBe(true);
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
