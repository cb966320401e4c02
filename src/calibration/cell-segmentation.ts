/**
 * Cells versus plasma, inside the field of view: the plasma colour (the existing background
 * rule: brightest pixels by luma), optical density against it, and Otsu's threshold on the OD.
 * Shared by the scale estimator and the colour fit, so that both see the same cells.
 */
import { DEFAULT_COLOUR_CONFIG } from '../colour/config.js';
import { type Vec3, measureBackgroundRgb } from '../colour/stats.js';
import { rasteriseField } from './field-region.js';
import { totalOpticalDensity } from './optical-density.js';
import { type OtsuResult, otsuThreshold } from './otsu.js';
import type { FieldMask } from './types.js';

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

export function segmentCells(rgb: Uint8Array, width: number, height: number, field?: Uint8Array): CellSegmentation {
  const c = DEFAULT_COLOUR_CONFIG;
  const background = measureBackgroundRgb(
    { width, height, rgb },
    { stride: c.statsStride, backgroundFraction: c.backgroundFraction, highlightFraction: c.highlightFraction },
    field,
  );
  const od = totalOpticalDensity(rgb, background);
  return { background, od, otsu: otsuThreshold(od, OD_RANGE, field) };
}

/** One frame's field of view rasterised (undefined: the whole frame) and its cells segmented. */
export interface FrameCells {
  readonly field: Uint8Array | undefined;
  readonly seg: CellSegmentation;
}

/**
 * Rasterises the field and segments the cells once, so that a caller measuring both the scale and
 * the colour of one frame (the Calibrator) does it once, not once per measurement.
 */
export function frameCells(rgb: Uint8Array, width: number, height: number, mask: FieldMask): FrameCells {
  const field = mask.kind === 'full' ? undefined : rasteriseField(mask, width, height);
  return { field, seg: segmentCells(rgb, width, height, field) };
}
