/**
 * Scale from the red cells in view, with no detector: cells vs plasma by optical density and
 * Otsu, pallor filled, then two measures of the same mask: the disc diameter of a Boolean model
 * fitted to its covariance (covariance-scale.ts; low when cells pack without overlap) and
 * granulometry (the peak of the pattern spectrum of local thickness; high when cells clump).
 * The estimate is their geometric mean; their agreement goes into the confidence. A coarse pass on a small copy of the frame finds
 * the size; a fine pass resamples so that a red cell is about `fineDiameterPx` working pixels
 * across and measures it. Frames with no red cells are refused.
 */
import { type ScaleConfig, DEFAULT_SCALE_CONFIG } from './config.js';
import { type CellSegmentation, type FrameCells, frameCells } from './cell-segmentation.js';
import { FULL_FIELD } from './field-region.js';
import { fillHoles } from './fill-holes.js';
import { odLuts } from './optical-density.js';
import { boxDownsample, downsampleMaskAll } from './resample.js';
import { type SpectrumResult, thicknessSpectrum } from './thickness-spectrum.js';
import { type CovarianceFit, fitDiscCovariance } from './covariance-scale.js';
import { type FieldMask, RBC_DIAMETER_UM, type ScaleResult } from './types.js';

export const NO_RED_CELLS = 'cannot estimate scale: no red cells found';

export const SCALE_METHOD = 'od-otsu-boolean-covariance';

/** One pass at one working resolution, lengths in working px. */
export interface Pass {
  /** Frame px per working px. */
  readonly factor: number;
  readonly covariance: CovarianceFit;
  /** Granulometry (pattern-spectrum peak) on the same mask: the second opinion, or null. */
  readonly spectrum: SpectrumResult | null;
  /**
   * OD contrast between the classes at working resolution over the contrast at full resolution:
   * near 1 for cells (smooth at this scale), small for pixel noise (averaged away).
   */
  readonly contrastKept: number;
}

/** One pass at one working resolution, lengths in working px. */
export interface Pass {
  /** Frame px per working px. */
  readonly factor: number;
  readonly covariance: CovarianceFit;
  /** Granulometry (pattern-spectrum peak) on the same mask: the second opinion, or null. */
  readonly spectrum: SpectrumResult | null;
  /**
   * OD contrast between the classes at working resolution over the contrast at full resolution:
   * near 1 for cells (smooth at this scale), small for pixel noise (averaged away).
   */
  readonly contrastKept: number;
}

/** What the estimator measured on one frame, before it decides (for diagnostics and benches). */
export interface ScaleEvidence {
  /** OD contrast between the Otsu classes (cells minus plasma). */
  readonly contrastOd: number;
  readonly foregroundFraction: number;
  /** Mean OD(red) / OD(green) of the foreground. */
  readonly redToGreenOd: number;
  /** The pass that measured, or null (no objects). */
  readonly pass: Pass | null;
  /** Raw diameters (frame px): Boolean-model covariance fit, granulometry 2 x peak radius (NaN if none). */
  readonly covarianceDiameterPx: number;
  readonly granulometryDiameterPx: number;
  /** The estimate: geometric mean of the two, times boxBias (annotation-box convention). */
  readonly diameterPx: number;
}

export function estimateScale(
  rgb: Uint8Array,
  width: number,
  height: number,
  mask: FieldMask = FULL_FIELD,
  config: ScaleConfig = DEFAULT_SCALE_CONFIG,
  cells?: FrameCells,
): ScaleResult {
  return judgeScale(measureScaleEvidence(rgb, width, height, mask, config, cells), config);
}

export function measureScaleEvidence(
  rgb: Uint8Array,
  width: number,
  height: number,
  mask: FieldMask = FULL_FIELD,
  config: ScaleConfig = DEFAULT_SCALE_CONFIG,
  /** The frame's field and cells when the caller has them already (frameCells of the same mask). */
  cells?: FrameCells,
): ScaleEvidence {
  if (rgb.length !== width * height * 3) throw new Error(`estimateScale: expected ${width * height * 3} RGB bytes for ${width}x${height}, got ${rgb.length}`);
  const { field, seg } = cells ?? frameCells(rgb, width, height, mask);
  const { otsu } = seg;
  const base = {
    contrastOd: otsu.foregroundMean - otsu.backgroundMean,
    foregroundFraction: otsu.foregroundFraction,
    redToGreenOd: redToGreenOd(rgb, seg, field),
  };
  const none: ScaleEvidence = { ...base, pass: null, diameterPx: NaN, covarianceDiameterPx: NaN, granulometryDiameterPx: NaN };
  if (base.contrastOd < config.minContrastOd) return none;
  const coarseFactor = Math.max(1, Math.max(width, height) / config.coarseLongSide);
  let pass = runPass(seg, width, height, field, coarseFactor, config.minDiameterPx, config.maxDiameterPx, config);
  if (!pass) return none;
  const coarseD = pass.covariance.diameter * pass.factor;
  const fineFactor = Math.max(1, coarseD / config.fineDiameterPx, Math.sqrt((width * height) / config.maxWorkingPixels));
  if (Math.abs(fineFactor / coarseFactor - 1) > 0.1) {
    const lo = Math.max(config.minDiameterPx, coarseD / 2);
    const hi = Math.min(config.maxDiameterPx, coarseD * 2);
    const fine = runPass(seg, width, height, field, fineFactor, lo, hi, config, (coarseD * config.fineMaxLagOverDiameter) / fineFactor);
    if (fine) pass = fine;
  }
  const cov = pass.covariance.diameter * pass.factor;
  const gran = pass.spectrum ? 2 * pass.spectrum.radius * pass.factor : NaN;
  return { ...base, pass, covarianceDiameterPx: cov, granulometryDiameterPx: gran, diameterPx: Math.sqrt(cov * gran) * config.boxBias };
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
  if (ev.pass.contrastKept < config.minContrastKept) return refuse(`no structure at cell size (contrast kept ${fmt(ev.pass.contrastKept)})`);
  const cov = ev.pass.covariance;
  if (cov.coverage < config.minForegroundFraction || cov.coverage > config.maxForegroundFraction) return refuse(`cells cover ${fmt(cov.coverage * 100)}% of the field`);
  const diameter = ev.diameterPx;
  if (!Number.isFinite(diameter)) return refuse('no granulometry peak');
  if (cov.atBound) return refuse(`the covariance fit ran into the edge of the sizes searched (${fmt(config.minDiameterPx)}-${fmt(config.maxDiameterPx)} px)`);
  if (diameter < config.minDiameterPx || diameter > config.maxDiameterPx) return refuse(`objects ${fmt(diameter)} px across are out of range`);
  if (cov.residual > config.maxCovarianceResidual) return refuse(`the objects do not look like discs (residual ${fmt(cov.residual)})`);
  if (cov.objects < config.minCells) return refuse(`${fmt(cov.objects)} cell-sized objects`);
  // Confidence: agreement with granulometry (same mask, another method), disc-likeness, cell count.
  const agreement = Math.max(0, 1 - Math.abs(Math.log(ev.granulometryDiameterPx / ev.covarianceDiameterPx)) / 0.4);
  const shape = Math.max(0, 1 - cov.residual / config.maxCovarianceResidual);
  const confidence = clamp01(0.5 * agreement + 0.25 * shape + 0.25 * Math.min(1, cov.objects / 30));
  return {
    ok: true,
    estimate: {
      rbcDiameterPx: diameter,
      umPerPx: RBC_DIAMETER_UM / diameter,
      rbcCount: Math.round(cov.objects),
      confidence,
      method: SCALE_METHOD,
    },
  };
}

/** Mask at `factor` (OD > Otsu threshold, pallor filled), then the covariance fit and granulometry. */
function runPass(
  seg: CellSegmentation,
  width: number,
  height: number,
  field: Uint8Array | undefined,
  factor: number,
  dMinFrame: number,
  dMaxFrame: number,
  config: ScaleConfig,
  maxLag?: number,
): Pass | null {
  const plane = boxDownsample({ width, height, data: seg.od }, factor);
  const wField = field ? downsampleMaskAll(field, width, height, factor) : undefined;
  const n = plane.data.length;
  let mask: Uint8Array = new Uint8Array(n);
  const sums = [0, 0];
  const counts = [0, 0];
  for (let i = 0; i < n; i++) {
    if (wField && wField[i] === 0) continue;
    const fg = plane.data[i] > seg.otsu.threshold ? 1 : 0;
    mask[i] = fg;
    sums[fg] += plane.data[i];
    counts[fg]++;
  }
  const fullContrast = seg.otsu.foregroundMean - seg.otsu.backgroundMean;
  const workContrast = counts[0] > 0 && counts[1] > 0 ? sums[1] / counts[1] - sums[0] / counts[0] : 0;
  const contrastKept = fullContrast > 0 ? workContrast / fullContrast : 0;
  const dMin = dMinFrame / factor;
  const dMax = dMaxFrame / factor;
  // Fine pass (the size is known within 2x): holes up to the fraction of a cell of the middle size.
  const knownArea = maxLag === undefined ? undefined : config.holeFillFraction * Math.PI * dMin * dMax / 4;
  mask = fillHoles(mask, plane.width, plane.height, config.holeFillFraction, wField, knownArea);
  const covariance = fitDiscCovariance(mask, plane.width, plane.height, {
    maxLag: Math.min(maxLag ?? dMax * config.maxLagOverDiameter, Math.max(plane.width, plane.height) / 2),
    minDiameter: dMin,
    maxDiameter: dMax,
    rowStep: n > 40_000 ? 2 : 1,
    field: wField,
  });
  if (!covariance) return null;
  const c = covariance.diameter;
  const spectrum = thicknessSpectrum(mask, plane.width, plane.height, Math.max(0.5, c / 5), c);
  return { factor, covariance, spectrum, contrastKept };
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
