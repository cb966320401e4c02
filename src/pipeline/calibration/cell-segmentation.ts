/**
 * Cells versus plasma, inside the field of view: the plasma colour (the existing background
 * rule: brightest pixels by luma), optical density against it, and Otsu's threshold on the OD.
 * Shared by the scale estimator and the colour fit, so that both see the same cells.
 */
import { DEFAULT_COLOUR_CONFIG } from '../config.js';
import { type Vec3, measureBackgroundRgb } from '../colour/stats.js';
import { weightedOpticalDensity } from './optical-density.js';
import { type OtsuResult, otsuThreshold } from './otsu.js';

export interface CellSegmentation {
  /** Plasma sRGB (0-255). */
  readonly background: Vec3;
  /** Total OD (R+G+B) per frame pixel. */
  readonly od: Float32Array;
  /** Otsu on the OD inside the field: threshold, class means, foreground share. */
  readonly otsu: OtsuResult;
}

/** OD range of the Otsu histogram (sum of three channels). */
export const OD_RANGE: readonly [number, number] = [0, 1.5];

export interface SegmentationOptions {
  /** OD channel weights (R, G, B): red cells absorb green most. */
  readonly odWeights: readonly [number, number, number];
  /** OD above this quantile of the field is clipped before Otsu (nuclei must not pull the threshold up). */
  readonly clipQuantile: number;
}

export const DEFAULT_SEGMENTATION: SegmentationOptions = {
  odWeights: [1, 1, 1],
  clipQuantile: 1,
};

export function segmentCells(rgb: Uint8Array, width: number, height: number, field?: Uint8Array, options: SegmentationOptions = DEFAULT_SEGMENTATION): CellSegmentation {
  const c = DEFAULT_COLOUR_CONFIG;
  const background = measureBackgroundRgb(
    { width, height, rgb },
    { stride: c.statsStride, backgroundFraction: c.backgroundFraction, highlightFraction: c.highlightFraction },
    field,
  );
  const od = weightedOpticalDensity(rgb, background, options.odWeights);
  const hi = options.clipQuantile < 1 ? quantile(od, options.clipQuantile, field) : OD_RANGE[1];
  return { background, od, otsu: otsuThreshold(od, [OD_RANGE[0], Math.max(1e-3, Math.min(OD_RANGE[1], hi))], field) };
}

/** The q-quantile of values (where select is nonzero), from a 1024-bin histogram over OD_RANGE. */
function quantile(values: Float32Array, q: number, select?: Uint8Array): number {
  const bins = 1024;
  const hist = new Uint32Array(bins);
  const scale = (bins - 1) / (OD_RANGE[1] - OD_RANGE[0]);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (select && select[i] === 0) continue;
    hist[Math.max(0, Math.min(bins - 1, Math.round((values[i] - OD_RANGE[0]) * scale)))]++;
    n++;
  }
  let acc = 0;
  for (let b = 0; b < bins; b++) {
    acc += hist[b];
    if (acc >= q * n) return OD_RANGE[0] + b / scale;
  }
  return OD_RANGE[1];
}
