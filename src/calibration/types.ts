/**
 * Device calibration: what one camera sees, measured from the slide itself.
 *
 * The contract between the pure estimators (scale, field of view, colour: this folder), the
 * resampling/tiling stage that maps each frame to the model's training scale (src/detect/tiling),
 * the device profile file (`leukoscan calibrate --out PROFILE.json`), and the wire/dashboard.
 *
 * Units: every length is in pixels of the frame it was measured on unless its name says otherwise.
 */

/** Red-cell diameter in human blood, micrometres (used to turn px into µm/px). */
export const RBC_DIAMETER_UM = 7.5;

/** A scale estimate from the red cells in view. */
export interface ScaleEstimate {
  /** Median red-cell diameter in frame pixels (≈ sqrt(w·h) of an annotator's box). */
  readonly rbcDiameterPx: number;
  /** RBC_DIAMETER_UM / rbcDiameterPx. */
  readonly umPerPx: number;
  /** How many red cells (or red-cell-sized objects) the estimate rests on. */
  readonly rbcCount: number;
  /** 0..1: agreement of the evidence (e.g. peak sharpness, spread of per-cell sizes). */
  readonly confidence: number;
  /** Short name of the method that produced it, for the profile and the dashboard. */
  readonly method: string;
}

/** Either an estimate, or a clear reason why there is none ("cannot estimate scale: no red cells found"). */
export type ScaleResult =
  | { readonly ok: true; readonly estimate: ScaleEstimate }
  | { readonly ok: false; readonly reason: string };

/**
 * The part of the frame that shows the slide. `full`: all of it. `circle`: an eyepiece field of
 * view (centre and radius in frame px). `rect`: a black border around a rectangle (inclusive x0,y0;
 * exclusive x1,y1). Pixels outside are ignored by detections, colour statistics and registration.
 */
export type FieldMask =
  | { readonly kind: 'full' }
  | { readonly kind: 'circle'; readonly cx: number; readonly cy: number; readonly r: number }
  | { readonly kind: 'rect'; readonly x0: number; readonly y0: number; readonly x1: number; readonly y1: number };

/**
 * A colour transform fitted on one camera. Applied in order: per-channel white-balance gains
 * (the background/plasma made the reference background colour), then a stain normalisation whose
 * statistics were measured on the cells only (not the whole frame), so that the cells in view do not
 * recolour themselves.
 */
export interface ColourTransform {
  /** Per-channel RGB gains, applied to 0-255 values. */
  readonly wbGains: readonly [number, number, number];
  /** Stain normalisation of cell pixels, or null (white balance only). */
  readonly stain: null | {
    readonly method: 'reinhard-lab-cells';
    /** L*a*b* mean/std of this camera's cell pixels after white balance. */
    readonly sourceMean: readonly [number, number, number];
    readonly sourceStd: readonly [number, number, number];
    /** The model card's reference cell statistics. */
    readonly targetMean: readonly [number, number, number];
    readonly targetStd: readonly [number, number, number];
    /** Reference plasma colour (0-255): optical density for the blend is measured against it. */
    readonly backgroundRgb: readonly [number, number, number];
    /**
     * Total OD (R+G+B) range over which the stain correction fades in: 0 below blendOd[0]
     * (plasma keeps its white-balanced colour), full above blendOd[1] (the cell threshold).
     */
    readonly blendOd: readonly [number, number];
    /** targetStd / sourceStd is clamped to [1/maxStdRatio, maxStdRatio]. */
    readonly maxStdRatio: number;
  };
}

/** What `leukoscan calibrate` writes and `--profile FILE` reads. */
export interface DeviceProfile {
  readonly version: 1;
  /** ISO date-time of the calibration. */
  readonly createdAt: string;
  /** The source it was measured on (credentials redacted), e.g. "v4l2:///dev/video0". */
  readonly camera: string;
  /** Frame size the profile was measured at; a frame of another size is refused. */
  readonly frameSize: { readonly width: number; readonly height: number };
  /** Frames it rests on. */
  readonly frames: number;
  readonly scale: ScaleEstimate;
  readonly field: FieldMask;
  readonly colour: ColourTransform;
}

/**
 * The model card's training scale (card field `trainingScale`): the median red-cell diameter, in
 * model-input pixels, of the training views, measured with the same estimator the pipeline uses.
 * The pipeline resamples each frame so that its red cells come out at this size.
 */
export interface TrainingScale {
  readonly rbcDiameterPx: number;
  /** How it was measured (estimator name, images). */
  readonly source: string;
}
