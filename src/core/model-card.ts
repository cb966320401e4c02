/**
 * The model card JSON written by `python3 -m training.export` next to each
 * `models/<name>.onnx`. Validated when loaded (see src/detect/model-card-loader.ts).
 */
export interface ModelCard {
  name: string;
  /** Class names in output order of `logits` [N, Q, C]. */
  classes: string[];
  /** Fixed network input size (the sampling grid is baked in at export). */
  input: { width: number; height: number };
  /** Resize rule: 'stretch' resizes the frame to input size, ignoring aspect. */
  resize: 'stretch';
  /** Per-channel RGB mean/std applied to pixel/255. */
  mean: [number, number, number];
  std: [number, number, number];
  /** Colour reference of the training data (for src/pipeline colour normalisation). */
  colourReference: {
    /** CIE L*a*b* mean and std of training images (D65, sRGB). */
    labMean: [number, number, number];
    labStd: [number, number, number];
    /** Mean RGB of the background (plasma), 0-255. */
    backgroundRgb: [number, number, number];
    /**
     * L*a*b* mean and std of the cell pixels only (optical density above Otsu's threshold,
     * src/calibration/cell-segmentation.ts): the target of the device colour fit.
     * Absent in older cards (the fit then white-balances only).
     */
    cellLabMean?: [number, number, number];
    cellLabStd?: [number, number, number];
  };
  /**
   * The scale the model was trained at: the median red-cell diameter (annotation box sqrt(w*h))
   * in model-input pixels, and how it was measured. The pipeline resamples frames so that their
   * red cells come out at this size. Absent in older cards.
   */
  trainingScale?: { rbcDiameterPx: number; source: string };
  outputs: { logits: string; boxes: string; boxConvention: 'cxcywh-normalised' };
  numQueries: number;
  /**
   * Post-processing after the top-k: greedy NMS at IoU `nmsIou`, with the
   * classes named together in one of `nmsGroups` suppressing each other.
   * Absent: no NMS (plain Deformable-DETR post-processing).
   */
  postprocess?: { nmsIou: number; nmsGroups: string[][] };
  /** The file's hash (training/export.py; bench/quantize_int8.py for an int8 file). */
  onnx?: { sha256: string; [key: string]: unknown };
  /**
   * Only in an int8 file's card (models/<name>.int8.json, written by
   * bench/quantize-int8.sh): the float file it was quantised from and that
   * file's hash. Its `onnx` and `metrics` are the int8 file's own.
   */
  quantization?: { sourceFile: string; sourceSha256: string; weightBits?: number; [key: string]: unknown };
  trainingData: string[];
  config: Record<string, unknown>;
  metrics: Record<string, unknown>;
  date: string;
  [key: string]: unknown;
}

/**
 * Card of the leukocyte typer (models/leukoscan-typer.json, written by
 * `python3 -m training.typer.export`): a crop classifier that re-types the
 * detector's leukocyte boxes.
 */
export interface TyperCard {
  name: string;
  kind: 'leukocyte-typer';
  /** Type names in output order of `logits` [N, T] (softmax). */
  classes: string[];
  /** Crop size fed to the network. */
  input: { width: number; height: number };
  /**
   * Crop rule: a square centred on the box, side round(max(w, h) * (1 + pad)),
   * shifted inside the frame, resized with Pillow's bilinear filter.
   */
  crop: { rule: 'square-clamped'; pad: number; resize: 'pil-bilinear' };
  mean: [number, number, number];
  std: [number, number, number];
  outputs: { logits: string };
  metrics: Record<string, unknown>;
  date: string;
  [key: string]: unknown;
}
