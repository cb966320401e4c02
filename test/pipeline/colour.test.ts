import { describe, expect, it } from 'vitest';
import { map } from 'rxjs';
import type { Frame } from '../../src/core/frame.js';
import { type ColourCalibration, type ColourReference, computeCalibration, transformSrgb } from '../../src/colour/calibration.js';
import { labToSrgb, srgbToLab } from '../../src/colour/lab.js';
import { applyColourLut, applyFastColourLut, buildColourLut, buildFastColourLut } from '../../src/colour/lut.js';
import { DEFAULT_COLOUR_CONFIG } from '../../src/pipeline/config.js';
import { ColourNormaliser } from '../../src/colour/normaliser.js';
import { measureBackgroundRgb, measureLabStats } from '../../src/colour/stats.js';
import { normaliseColour } from '../../src/pipeline/operators/normalise-colour.js';
import { testScheduler } from './helpers.js';
import { createRng } from '../../src/sim/rng.js';

/** Seeded PRNG (the simulator's mulberry32): the same values every run. */
const rng = (seed: number): (() => number) => createRng(seed).next;

/** A synthetic smear: pinkish plasma background, reddish RBC discs, purple nuclei, with noise. */
function syntheticSmear(width = 160, height = 120, seed = 1): Frame {
  const rand = rng(seed);
  const rgb = new Uint8Array(width * height * 3);
  const cells = Array.from({ length: 25 }, () => ({ x: rand() * width, y: rand() * height, r: 6 + rand() * 8, nucleus: rand() < 0.15 }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let c: [number, number, number] = [232, 212, 205];
      for (const cell of cells) {
        const d = Math.hypot(x - cell.x, y - cell.y);
        if (d < cell.r) c = cell.nucleus && d < cell.r * 0.7 ? [110, 60, 150] : [205, 130, 135];
      }
      const i = (y * width + x) * 3;
      for (let k = 0; k < 3; k++) rgb[i + k] = Math.max(0, Math.min(255, Math.round(c[k] + (rand() - 0.5) * 10)));
    }
  }
  return { seq: 0, timestampMs: 0, width, height, rgb };
}

/** A device profile: per-channel gain and gamma in sRGB. */
function castFrame(f: Frame, gains: [number, number, number], gamma = 1): Frame {
  const rgb = new Uint8Array(f.rgb.length);
  for (let i = 0; i < rgb.length; i++) {
    const v = Math.pow(f.rgb[i] / 255, gamma) * 255 * gains[i % 3];
    rgb[i] = Math.max(0, Math.min(255, Math.round(v)));
  }
  return { ...f, rgb };
}

function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

function referenceOf(f: Frame): ColourReference {
  const lab = measureLabStats(f, 1);
  return { labMean: lab.mean, labStd: lab.std, backgroundRgb: measureBackgroundRgb(f, { stride: 1, backgroundFraction: 0.1, highlightFraction: 0.01 }) };
}

describe('colour: LAB conversion', () => {
  it('matches reference values for white and sRGB red', () => {
    const out = [0, 0, 0];
    srgbToLab(255, 255, 255, out);
    expect(out[0]).toBeCloseTo(100, 2);
    expect(Math.abs(out[1])).toBeLessThan(0.01);
    expect(Math.abs(out[2])).toBeLessThan(0.01);
    srgbToLab(255, 0, 0, out);
    expect(out[0]).toBeCloseTo(53.24, 1);
    expect(out[1]).toBeCloseTo(80.09, 1);
    expect(out[2]).toBeCloseTo(67.2, 1);
  });

  it('round-trips sRGB -> LAB -> sRGB within half a level', () => {
    const lab = [0, 0, 0];
    const back = [0, 0, 0];
    for (let r = 0; r < 256; r += 17) {
      for (let g = 0; g < 256; g += 17) {
        for (let b = 0; b < 256; b += 17) {
          srgbToLab(r, g, b, lab);
          labToSrgb(lab[0], lab[1], lab[2], back);
          expect(Math.abs(back[0] - r)).toBeLessThan(0.5);
          expect(Math.abs(back[1] - g)).toBeLessThan(0.5);
          expect(Math.abs(back[2] - b)).toBeLessThan(0.5);
        }
      }
    }
  });
});

describe('colour: 3D LUT', () => {
  const cal: ColourCalibration = { mode: 'wb+lab', linearGains: [1.3, 1, 0.7], labSourceMean: [60, 5, 5], labScale: [1.2, 0.8, 1.1], labTargetMean: [70, 10, -10] };

  it('tetrahedral interpolation is within a level of the exact transform on average (worst case at gamut clipping kinks)', () => {
    const lut = buildColourLut(cal, 33);
    const rand = rng(7);
    const n = 5000;
    const src = new Uint8Array(n * 3);
    for (let i = 0; i < src.length; i++) src[i] = Math.floor(rand() * 256);
    const dst = new Uint8Array(src.length);
    applyColourLut(lut, src, dst);
    const exact = new Float64Array(3);
    const errors: number[] = [];
    for (let p = 0; p < n; p++) {
      transformSrgb(cal, src[p * 3], src[p * 3 + 1], src[p * 3 + 2], exact);
      for (let c = 0; c < 3; c++) errors.push(Math.abs(dst[p * 3 + c] - exact[c]));
    }
    errors.sort((a, b) => a - b);
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const p99 = errors[Math.floor(errors.length * 0.99)];
    console.log(`LUT vs exact: mean ${mean.toFixed(3)}, p99 ${p99.toFixed(2)}, max ${errors.at(-1)?.toFixed(2)}`);
    expect(mean).toBeLessThan(1);
    expect(p99).toBeLessThan(4);
  });

  it('an identity calibration leaves pixels unchanged (within rounding)', () => {
    const lut = buildColourLut({ mode: 'wb', linearGains: [1, 1, 1], labSourceMean: [0, 0, 0], labScale: [1, 1, 1], labTargetMean: [0, 0, 0] }, 17);
    const src = new Uint8Array(256 * 3);
    for (let i = 0; i < 256; i++) src.set([i, 255 - i, (i * 7) % 256], i * 3);
    const dst = new Uint8Array(src.length);
    applyColourLut(lut, src, dst);
    expect(meanAbsDiff(src, dst)).toBeLessThan(0.6);
  });

  it('the dense nearest-node table stays within about a level of tetrahedral interpolation', () => {
    const lut = buildColourLut(cal, 33);
    const fast = buildFastColourLut(lut);
    const f = syntheticSmear(160, 120, 5);
    const a = new Uint8Array(f.rgb.length);
    const b = new Uint8Array(f.rgb.length);
    applyColourLut(lut, f.rgb, a);
    applyFastColourLut(fast, f.rgb, b);
    let sum = 0;
    let worst = 0;
    for (let i = 0; i < a.length; i++) {
      const d = Math.abs(a[i] - b[i]);
      sum += d;
      worst = Math.max(worst, d);
    }
    expect(sum / a.length).toBeLessThan(1.5);
    expect(worst).toBeLessThanOrEqual(6);
  });

  it('BAD LUT GRID - rejects a grid smaller than 2', () => {
    expect(() => buildColourLut(cal, 1)).toThrow('LUT grid must be an integer in [2, 256], got 1');
  });
});

describe('colour: calibration', () => {
  it('measures the background from the brightest pixels', () => {
    const f = syntheticSmear();
    const bg = measureBackgroundRgb(f, { stride: 1, backgroundFraction: 0.1, highlightFraction: 0.01 });
    expect(bg[0]).toBeGreaterThan(228);
    expect(bg[0]).toBeLessThan(240);
    expect(bg[1]).toBeGreaterThan(205);
    expect(bg[2]).toBeGreaterThan(198);
  });

  it.each([
    ['yellow cast', [1.05, 1.0, 0.7], 1],
    ['blue cast', [0.8, 0.9, 1.1], 1],
    ['dark gamma', [1, 1, 1], 1.6],
    ['cast plus gamma', [1.1, 0.95, 0.8], 0.8],
  ] as const)('undoes a %s: the normalised frame is closer to the original than the cast one', (_name, gains, gamma) => {
    const original = syntheticSmear(160, 120, 3);
    const ref = referenceOf(original);
    const cast = castFrame(original, [...gains], gamma);
    // 'wb+lab' (not the default 'wb'): white balance alone cannot undo a gamma
    const normaliser = new ColourNormaliser(ref, { statsStride: 1, mode: 'wb+lab' });
    normaliser.observe(cast);
    const fixed = normaliser.apply(cast);
    const before = meanAbsDiff(cast.rgb, original.rgb);
    const after = meanAbsDiff(fixed.rgb, original.rgb);
    expect(after).toBeLessThan(before * 0.5);
    expect(after).toBeLessThan(8);
  });

  it('the default mode (white balance) undoes a colour cast and leaves a matching frame almost alone', () => {
    const original = syntheticSmear(160, 120, 3);
    const ref = referenceOf(original);
    expect(DEFAULT_COLOUR_CONFIG.mode).toBe('wb');
    const cast = castFrame(original, [1.25, 1, 0.75], 1);
    const normaliser = new ColourNormaliser(ref, { statsStride: 1 });
    normaliser.observe(cast);
    expect(meanAbsDiff(normaliser.apply(cast).rgb, original.rgb)).toBeLessThan(meanAbsDiff(cast.rgb, original.rgb) * 0.5);
    const same = new ColourNormaliser(ref, { statsStride: 1 });
    same.observe(original);
    expect(meanAbsDiff(same.apply(original).rgb, original.rgb)).toBeLessThan(2);
  });

  it('computeCalibration is the identity when the source already matches the reference', () => {
    const f = syntheticSmear();
    const ref = referenceOf(f);
    const cal = computeCalibration({ background: ref.backgroundRgb, lab: { mean: ref.labMean, std: ref.labStd } }, ref, { mode: 'wb+lab', maxGain: 3, maxStdRatio: 3 });
    for (const g of cal.linearGains) expect(g).toBeCloseTo(1, 6);
    for (const s of cal.labScale) expect(s).toBeCloseTo(1, 6);
  });

  it('warms up on the first frames, then refreshes only every refreshEvery frames', () => {
    const f = syntheticSmear(64, 48);
    const n = new ColourNormaliser(referenceOf(f), { warmupFrames: 3, refreshEvery: 5, lutLookup: 'tetrahedral' });
    for (let i = 0; i < 3; i++) n.process(f);
    expect(n.state.measurements).toBe(3);
    for (let i = 0; i < 10; i++) n.process(f);
    // frames 3..12: refreshed at frames 5 and 10.
    expect(n.state.measurements).toBe(5);
  });
});

describe('normaliseColour operator', () => {
  it('emits one corrected frame per input frame, in order, and unsubscribes the source', () => {
    const f = syntheticSmear(32, 24);
    const ref = referenceOf(f);
    const cast = castFrame(f, [1.1, 1, 0.7]);
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<Frame>('-a-b-c-', { a: { ...cast, seq: 0 }, b: { ...cast, seq: 1 }, c: { ...cast, seq: 2 } });
      const out = source.pipe(
        normaliseColour(ref),
        map((fr) => `${fr.seq}:${fr.rgb !== cast.rgb && fr.rgb.length === cast.rgb.length}`),
      );
      expectObservable(out, '^----!').toBe('-a-b-', { a: '0:true', b: '1:true' });
      expectSubscriptions(source.subscriptions).toBe('^----!');
    });
  });

  it('passes a source error on', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const out = hot<Frame>('-#', undefined, new Error('camera gone')).pipe(normaliseColour(referenceOf(syntheticSmear(8, 6))));
      expectObservable(out).toBe('-#', undefined, new Error('camera gone'));
    });
  });
});
