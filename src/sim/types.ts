import type { LeukocyteType } from '../core/classes.js';
import type { Box } from '../track/types.js';

/** A leukocyte annotated in a source field. `type` is null where the dataset gives no unambiguous type. */
export interface FieldCell {
  readonly box: Box;
  readonly type: LeukocyteType | null;
}

/** An annotated field: one source image with its leukocyte boxes (image pixels). */
export interface AnnotatedField {
  readonly name: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  readonly cells: readonly FieldCell[];
}

/** A leukocyte on the simulated slide (mosaic pixels). */
export interface SlideCell {
  readonly id: number;
  readonly box: Box;
  readonly type: LeukocyteType | null;
  /** Source field and its box there. */
  readonly field: string;
  /**
   * Not scored (neither a miss nor a false count): no unambiguous type, cut by
   * the source image's edge, or centred in a blended seam.
   */
  readonly ignore: boolean;
  readonly ignoreReason: string | null;
}

export interface Mosaic {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  readonly fields: readonly { readonly name: string; readonly x: number; readonly y: number }[];
  readonly cells: readonly SlideCell[];
}

/** One frame of the camera path. */
export interface PathFrame {
  readonly index: number;
  readonly timeS: number;
  /** Mosaic position of the frame's top-left pixel (sub-pixel). */
  readonly x: number;
  readonly y: number;
  /** Gaussian blur sigma in pixels (0 = in focus). */
  readonly blurSigma: number;
  /** Illumination gain (1 = nominal). */
  readonly gain: number;
  readonly phase: 'raster' | 'pause' | 'reverse' | 'return' | 'jump';
}

export interface ScanOptions {
  seed: number;
  frameWidth: number;
  frameHeight: number;
  fps: number;
  durationS: number;
  /** Mosaic grid of source fields. */
  cols: number;
  rows: number;
}

/** Everything needed to score a count of a simulated scan. */
export interface GroundTruth {
  readonly version: 1;
  readonly options: ScanOptions;
  readonly mosaic: { readonly width: number; readonly height: number; readonly fields: Mosaic['fields'] };
  readonly cells: readonly SlideCell[];
  readonly path: readonly PathFrame[];
}
