/**
 * Colour calibration of one camera: white balance on the plasma, then Reinhard stain
 * normalisation in L*a*b* with statistics measured on the cells only (inside the field of view),
 * so that how many cells are in view does not move the transform. The stain correction fades in
 * with optical density, so the plasma keeps the white-balanced reference colour. Pure.
 */
import { DEFAULT_COLOUR_CONFIG } from '../colour/config.js';
import { labToSrgb, linearRgbToLab } from '../colour/lab.js';
import type { Vec3 } from '../colour/stats.js';
import { type FrameCells, frameCells } from './cell-segmentation.js';
import type { ColourTransform, FieldMask } from './types.js';

/** The model card's colour reference as the fit needs it (cell statistics optional). */
export interface CellColourReference {
  readonly backgroundRgb: readonly [number, number, number];
  readonly cellLabMean?: readonly [number, number, number];
  readonly cellLabStd?: readonly [number, number, number];
}

export interface ColourFitConfig {
  /** Sample every `stride`-th pixel in x and y. */
  readonly stride: number;
  /** White-balance gains are clamped to [1/maxGain, maxGain]. */
  readonly maxGain: number;
  /** Reinhard std ratios are clamped to [1/maxStdRatio, maxStdRatio]. */
  readonly maxStdRatio: number;
  /** Fewer sampled cell pixels than this: white balance only. */
  readonly minCellPixels: number;
  /** The stain correction ramps in from blendStart x the cell OD threshold to the threshold. */
  readonly blendStart: number;
}

export const DEFAULT_COLOUR_FIT_CONFIG: ColourFitConfig = {
  stride: 2,
  maxGain: DEFAULT_COLOUR_CONFIG.maxGain,
  maxStdRatio: DEFAULT_COLOUR_CONFIG.maxStdRatio,
  minCellPixels: 500,
  blendStart: 0.4,
};

export interface LabStatsOf {
  readonly mean: Vec3;
  readonly std: Vec3;
  readonly n: number;
}

/** L*a*b* mean/std of the selected pixels after sRGB gains (every `stride`-th pixel). */
export function labStatsOf(rgb: Uint8Array, width: number, height: number, select: (p: number) => boolean, gains: readonly number[], stride: number): LabStatsOf {
  const lab = new Float64Array(3);
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  let n = 0;
  for (let y = 0; y < height; y += stride) {
    for (let x = 0; x < width; x += stride) {
      const p = y * width + x;
      if (!select(p)) continue;
      srgbFloatToLab(rgb[p * 3] * gains[0], rgb[p * 3 + 1] * gains[1], rgb[p * 3 + 2] * gains[2], lab);
      for (let c = 0; c < 3; c++) {
        sum[c] += lab[c];
        sq[c] += lab[c] * lab[c];
      }
      n++;
    }
  }
  if (n === 0) return { mean: [0, 0, 0], std: [0, 0, 0], n };
  const mean = sum.map((s) => s / n) as Vec3;
  const std = mean.map((m, c) => Math.sqrt(Math.max(0, sq[c] / n - m * m))) as Vec3;
  return { mean, std, n };
}

export function fitColourTransform(
  rgb: Uint8Array,
  width: number,
  height: number,
  options: {
    readonly field: FieldMask;
    readonly reference: CellColourReference;
    readonly config?: ColourFitConfig;
    /** The frame's field and cells when the caller has them already (frameCells of the same field). */
    readonly cells?: FrameCells;
  },
): ColourTransform {
  const cfg = options.config ?? DEFAULT_COLOUR_FIT_CONFIG;
  const ref = options.reference;
  const { field, seg } = options.cells ?? frameCells(rgb, width, height, options.field);
  const wbGains = [0, 1, 2].map((c) =>
    seg.background[c] <= 1 ? 1 : clamp(ref.backgroundRgb[c] / seg.background[c], 1 / cfg.maxGain, cfg.maxGain),
  ) as [number, number, number];
  if (!ref.cellLabMean || !ref.cellLabStd) return { wbGains, stain: null };
  const t = seg.otsu.threshold;
  const isCell = (p: number) => seg.od[p] > t && (!field || field[p] !== 0);
  const cells = labStatsOf(rgb, width, height, isCell, wbGains, cfg.stride);
  if (cells.n < cfg.minCellPixels || seg.otsu.foregroundMean - seg.otsu.backgroundMean <= 0) return { wbGains, stain: null };
  return {
    wbGains,
    stain: {
      method: 'reinhard-lab-cells',
      sourceMean: cells.mean,
      sourceStd: cells.std,
      targetMean: [...ref.cellLabMean] as Vec3,
      targetStd: [...ref.cellLabStd] as Vec3,
      backgroundRgb: [...ref.backgroundRgb] as Vec3,
      blendOd: [t * cfg.blendStart, t],
      maxStdRatio: cfg.maxStdRatio,
    },
  };
}

/** The exact per-colour transform (the LUT samples it). sRGB floats in and out. */
export function transformColour(tr: ColourTransform, r: number, g: number, b: number, out: Float64Array): void {
  const wr = Math.min(255, r * tr.wbGains[0]);
  const wg = Math.min(255, g * tr.wbGains[1]);
  const wb = Math.min(255, b * tr.wbGains[2]);
  const st = tr.stain;
  if (!st) {
    out[0] = wr;
    out[1] = wg;
    out[2] = wb;
    return;
  }
  const od =
    Math.max(0, Math.log10((st.backgroundRgb[0] + 1) / (wr + 1))) +
    Math.max(0, Math.log10((st.backgroundRgb[1] + 1) / (wg + 1))) +
    Math.max(0, Math.log10((st.backgroundRgb[2] + 1) / (wb + 1)));
  const [lo, hi] = st.blendOd;
  const w = hi > lo ? clamp((od - lo) / (hi - lo), 0, 1) : od >= hi ? 1 : 0;
  if (w === 0) {
    out[0] = wr;
    out[1] = wg;
    out[2] = wb;
    return;
  }
  srgbFloatToLab(wr, wg, wb, out);
  for (let c = 0; c < 3; c++) {
    const ratio = clamp(st.targetStd[c] / Math.max(1e-3, st.sourceStd[c]), 1 / st.maxStdRatio, st.maxStdRatio);
    out[c] = (out[c] - st.sourceMean[c]) * ratio + st.targetMean[c];
  }
  labToSrgb(clamp(out[0], 0, 100), out[1], out[2], out);
  out[0] = wr + (out[0] - wr) * w;
  out[1] = wg + (out[1] - wg) * w;
  out[2] = wb + (out[2] - wb) * w;
}

function srgbFloatToLab(r: number, g: number, b: number, out: Float64Array): void {
  linearRgbToLab(toLinear(r), toLinear(g), toLinear(b), out);
}

function toLinear(v: number): number {
  const c = clamp(v, 0, 255) / 255;
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);
