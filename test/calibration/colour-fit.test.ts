import { describe, expect, it } from 'vitest';
import { measureLabStats } from '../../src/colour/stats.js';
import { applyColourTransform } from '../../src/calibration/apply-colour.js';
import { segmentCells } from '../../src/calibration/cell-segmentation.js';
import { type CellColourReference, fitColourTransform, labStatsOf, transformColour } from '../../src/calibration/colour-fit.js';
import { rasteriseField } from '../../src/calibration/field-region.js';
import type { FieldMask } from '../../src/calibration/types.js';
import { discField, rng } from './synthetic.js';

const W = 320;
const H = 240;
const FULL: FieldMask = { kind: 'full' };

/** The reference a model card would carry, measured on an uncast frame the same way (cells only). */
function referenceOf(rgb: Uint8Array): CellColourReference {
  const seg = segmentCells(rgb, W, H);
  const st = labStatsOf(rgb, W, H, (p) => seg.od[p] > seg.otsu.threshold, [1, 1, 1], 1);
  return { backgroundRgb: seg.background, cellLabMean: st.mean, cellLabStd: st.std };
}

/** Mean sRGB over pixels where pick() holds. */
function meanRgb(rgb: Uint8Array, pick: (p: number) => boolean): [number, number, number] {
  const s = [0, 0, 0];
  let n = 0;
  for (let p = 0; p < rgb.length / 3; p++) {
    if (!pick(p)) continue;
    for (let c = 0; c < 3; c++) s[c] += rgb[p * 3 + c];
    n++;
  }
  return s.map((v) => v / n) as [number, number, number];
}

const base = discField({ width: W, height: H, diameter: 30, seed: 3 });
const reference = referenceOf(base.rgb);

describe('fitColourTransform', () => {
  it('the statistics ignore pixels outside the field mask', () => {
    const field: FieldMask = { kind: 'circle', cx: 160, cy: 120, r: 100 };
    const inside = rasteriseField(field, W, H);
    const a = base.rgb.slice();
    const b = base.rgb.slice();
    const rand = rng(5);
    // Outside the field: black in one frame, bright green noise in the other.
    for (let p = 0; p < W * H; p++) {
      if (inside[p]) continue;
      a.set([0, 0, 0], p * 3);
      b.set([30 + rand() * 40, 200 + rand() * 55, 20], p * 3);
    }
    const ta = fitColourTransform(a, W, H, { field, reference });
    const tb = fitColourTransform(b, W, H, { field, reference });
    expect(tb).toEqual(ta);
    // …while without the mask they differ (the test can fail).
    expect(fitColourTransform(b, W, H, { field: FULL, reference })).not.toEqual(fitColourTransform(a, W, H, { field: FULL, reference }));
  });

  const casts: { name: string; cast: [number, number, number] }[] = [
    // warm tungsten light
    { name: 'tungsten', cast: [1.12, 0.97, 0.78] },
    // cold LED, blue-cyan background
    { name: 'cyan-blue', cast: [0.82, 0.98, 1.12] },
    // under-exposed
    { name: 'dim', cast: [0.8, 0.8, 0.8] },
  ];
  it.each(casts)('undoes a $name cast: plasma and cells come back to the reference', ({ cast }) => {
    const f = discField({ width: W, height: H, diameter: 30, seed: 3, cast });
    const t = fitColourTransform(f.rgb, W, H, { field: FULL, reference });
    expect(t.stain).not.toBeNull();
    const out = applyColourTransform(f.rgb, t);
    const plasma = (p: number) => base.cellMask[p] === 0;
    const before = meanRgb(f.rgb, plasma);
    const after = meanRgb(out, plasma);
    const want = meanRgb(base.rgb, plasma);
    const err = (m: number[]) => Math.max(...m.map((v, c) => Math.abs(v - want[c])));
    expect(err(after)).toBeLessThan(4);
    expect(err(after)).toBeLessThan(err(before) / 3);
    // Cells: L*a*b* mean back within 3 units of the reference (cells only).
    const cells = labStatsOf(out, W, H, (p) => base.cellMask[p] === 1, [1, 1, 1], 1);
    for (let c = 0; c < 3; c++) expect(Math.abs(cells.mean[c] - (reference.cellLabMean as readonly number[])[c])).toBeLessThan(3);
  });

  it('changing how many cells are in view barely moves the transform (cells and plasma measured apart)', () => {
    const cast: [number, number, number] = [1.1, 0.95, 0.85];
    const sparse = discField({ width: W, height: H, diameter: 30, seed: 11, density: 0.12, cast });
    const dense = discField({ width: W, height: H, diameter: 30, seed: 12, density: 0.5, cast });
    const ts = fitColourTransform(sparse.rgb, W, H, { field: FULL, reference });
    const td = fitColourTransform(dense.rgb, W, H, { field: FULL, reference });
    for (let c = 0; c < 3; c++) expect(Math.abs(ts.wbGains[c] / td.wbGains[c] - 1)).toBeLessThan(0.02);
    for (let c = 0; c < 3; c++) expect(Math.abs((ts.stain?.sourceMean[c] ?? 0) - (td.stain?.sourceMean[c] ?? 99))).toBeLessThan(1.5);
    // Whole-frame statistics (the dropped 'lab' mode) move several times more with the same change.
    const ws = measureLabStats({ width: W, height: H, rgb: sparse.rgb }, 1);
    const wd = measureLabStats({ width: W, height: H, rgb: dense.rgb }, 1);
    expect(Math.abs(ws.mean[0] - wd.mean[0])).toBeGreaterThan(3 * Math.abs((ts.stain?.sourceMean[0] ?? 0) - (td.stain?.sourceMean[0] ?? 0)) + 1);
  });

  it('without cell statistics in the card: white balance only', () => {
    const t = fitColourTransform(base.rgb, W, H, { field: FULL, reference: { backgroundRgb: reference.backgroundRgb } });
    expect(t.stain).toBeNull();
    for (const g of t.wbGains) expect(g).toBeCloseTo(1, 2);
  });

  it('the LUT applies the exact transform within a couple of levels', () => {
    const f = discField({ width: W, height: H, diameter: 30, seed: 4, cast: [1.1, 0.9, 0.8] });
    const t = fitColourTransform(f.rgb, W, H, { field: FULL, reference });
    const out = applyColourTransform(f.rgb, t);
    const exact = new Float64Array(3);
    let worst = 0;
    for (let p = 0; p < W * H; p += 37) {
      transformColour(t, f.rgb[p * 3], f.rgb[p * 3 + 1], f.rgb[p * 3 + 2], exact);
      for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(out[p * 3 + c] - exact[c]));
    }
    expect(worst).toBeLessThan(4);
  });
});
