/**
 * Scale from the red cells in view, with no detector: cells vs plasma by optical density and
 * Otsu, pallor filled, then granulometry (the pattern spectrum of local thickness). A coarse pass
 * on a small copy of the frame finds the size; a fine pass resamples so that a red cell is about
 * `fineRadiusPx` working pixels in radius and measures it. Frames with no red cells are refused.
 */
import { type ScaleConfig, DEFAULT_SCALE_CONFIG } from './config.js';
import { type CellSegmentation, segmentCells } from './cell-segmentation.js';
import { FULL_FIELD, rasteriseField } from './field-region.js';
import { fillHoles } from './fill-holes.js';
import { odLuts } from './optical-density.js';
import { boxDownsample, downsampleMaskAll } from './resample.js';
import { type SpectrumResult, thicknessSpectrum } from './thickness-spectrum.js';
import { type FieldMask, RBC_DIAMETER_UM, type ScaleResult } from './types.js';

export const NO_RED_CELLS = 'cannot estimate scale: no red cells found';

export const SCALE_METHOD = 'od-otsu-granulometry';

/** One pass: its downsampling factor and the spectrum measured at that resolution. */
export interface Pass {
  readonly factor: number;
  readonly spectrum: SpectrumResult;
}

/** What the estimator measured on one frame, before it decides (for diagnostics and benches). */
export interface ScaleEvidence {
  /** OD contrast between the Otsu classes (cells minus plasma). */
  readonly contrastOd: number;
  readonly foregroundFraction: number;
  /** Mean OD(red) / OD(green) of the foreground. */
  readonly redToGreenOd: number;
  /** Downsampling factor and spectrum of the pass that measured, or null (no objects). */
  readonly pass: Pass | null;
  /** Box diameter (frame px) from that pass, or NaN. */
  readonly diameterPx: number;
}

export function estimateScale(
  rgb: Uint8Array,
  width: number,
  height: number,
  mask: FieldMask = FULL_FIELD,
  config: ScaleConfig = DEFAULT_SCALE_CONFIG,
): ScaleResult {
  return judgeScale(measureScaleEvidence(rgb, width, height, mask, config), config);
}

export function measureScaleEvidence(
  rgb: Uint8Array,
  width: number,
  height: number,
  mask: FieldMask = FULL_FIELD,
  config: ScaleConfig = DEFAULT_SCALE_CONFIG,
): ScaleEvidence {
  if (rgb.length !== width * height * 3) throw new Error(`estimateScale: expected ${width * height * 3} RGB bytes for ${width}x${height}, got ${rgb.length}`);
  const field = mask.kind === 'full' ? undefined : rasteriseField(mask, width, height);
  const seg = segmentCells(rgb, width, height, field);
  const { otsu } = seg;
  const base = {
    contrastOd: otsu.foregroundMean - otsu.backgroundMean,
    foregroundFraction: otsu.foregroundFraction,
    redToGreenOd: redToGreenOd(rgb, seg, field),
  };
  const none: ScaleEvidence = { ...base, pass: null, diameterPx: NaN };
  if (base.contrastOd < config.minContrastOd) return none;
  const rMinFrame = config.minDiameterPx / 2;
  const rMaxFrame = config.maxDiameterPx / 2;
  const coarseFactor = Math.max(1, Math.max(width, height) / config.coarseLongSide);
  let pass = runPass(seg, width, height, field, coarseFactor, rMinFrame, rMaxFrame, config);
  if (!pass) return none;
  const coarseRadius = pass.spectrum.radius * pass.factor;
  let fineFactor = Math.max(1, coarseRadius / config.fineRadiusPx);
  fineFactor = Math.max(fineFactor, Math.sqrt((width * height) / config.maxWorkingPixels));
  if (fineFactor < coarseFactor * 0.9) {
    const fine = runPass(seg, width, height, field, fineFactor, Math.max(rMinFrame, coarseRadius / 2.5), Math.min(rMaxFrame, coarseRadius * 2.5), config);
    if (fine) pass = fine;
  }
  return { ...base, pass, diameterPx: 2 * pass.spectrum.radius * pass.factor * config.boxBias };
}

/** Pure decision: an estimate, or the refusal with the first reason that applies. */
export function judgeScale(ev: ScaleEvidence, config: ScaleConfig = DEFAULT_SCALE_CONFIG): ScaleResult {
  const refuse = (why: string): ScaleResult => ({ ok: false, reason: `${NO_RED_CELLS} (${why})` });
  if (ev.contrastOd < config.minContrastOd) return refuse(`contrast ${fmt(ev.contrastOd)} OD`);
  if (ev.foregroundFraction < config.minForegroundFraction || ev.foregroundFraction > config.maxForegroundFraction) {
    return refuse(`foreground ${fmt(ev.foregroundFraction * 100)}% of the field`);
  }
  if (ev.redToGreenOd > config.maxRedToGreenOd) return refuse(`objects absorb red (OD red/green ${fmt(ev.redToGreenOd)})`);
  if (!ev.pass) return refuse('no foreground objects');
  const s = ev.pass.spectrum;
  const diameter = ev.diameterPx;
  if (s.atEdge || diameter < config.minDiameterPx || diameter > config.maxDiameterPx) return refuse(`objects ${fmt(diameter)} px across are out of range`);
  if (s.cells < config.minCells) return refuse(`${fmt(s.cells)} cell-sized objects`);
  if (s.ridgePerCell > config.maxRidgePerCell) return refuse('the objects are not round');
  if (s.peakMass < config.minPeakMass) return refuse('no dominant object size');
  const agreement = s.centreRadius === null ? 0 : Math.max(0, 1 - Math.abs(s.centreRadius / s.radius - 1) / 0.25);
  const confidence = clamp01(0.4 * agreement + 0.3 * Math.min(1, s.peakMass / 0.6) + 0.3 * Math.min(1, s.cells / 30));
  return {
    ok: true,
    estimate: {
      rbcDiameterPx: diameter,
      umPerPx: RBC_DIAMETER_UM / diameter,
      rbcCount: Math.round(s.cells),
      confidence,
      method: SCALE_METHOD,
    },
  };
}

function runPass(
  seg: CellSegmentation,
  width: number,
  height: number,
  field: Uint8Array | undefined,
  factor: number,
  rMinFrame: number,
  rMaxFrame: number,
  config: ScaleConfig,
): Pass | null {
  const plane = boxDownsample({ width, height, data: seg.od }, factor);
  const wField = field ? downsampleMaskAll(field, width, height, factor) : undefined;
  const n = plane.data.length;
  let mask: Uint8Array = new Uint8Array(n);
  for (let i = 0; i < n; i++) mask[i] = plane.data[i] > seg.otsu.threshold && (!wField || wField[i] !== 0) ? 1 : 0;
  mask = fillHoles(mask, plane.width, plane.height, config.holeFillFraction, wField);
  const spectrum = thicknessSpectrum(mask, plane.width, plane.height, rMinFrame / factor, rMaxFrame / factor);
  return spectrum ? { factor, spectrum } : null;
}

/** Mean OD(red) / mean OD(green) over foreground pixels (every 4th in x and y). */
function redToGreenOd(rgb: Uint8Array, seg: CellSegmentation, field: Uint8Array | undefined): number {
  const [lr, lg] = odLuts(seg.background);
  let sr = 0;
  let sg = 0;
  for (let p = 0; p < seg.od.length; p += 4) {
    if (seg.od[p] <= seg.otsu.threshold || (field && field[p] === 0)) continue;
    sr += lr[rgb[p * 3]];
    sg += lg[rgb[p * 3 + 1]];
  }
  return sg > 0 ? sr / sg : Infinity;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const fmt = (v: number): string => (Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2));
