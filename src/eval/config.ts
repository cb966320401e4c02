/** COCO evaluation parameters (pycocotools' defaults for iouType 'bbox'), in one place. */
export interface EvalConfig {
  readonly iouThresholds: readonly number[];
  readonly recallThresholds: readonly number[];
  /** Max detections per image and category. */
  readonly maxDets: number;
  readonly areaRanges: { readonly all: readonly [number, number]; readonly small: readonly [number, number]; readonly medium: readonly [number, number]; readonly large: readonly [number, number] };
}

// np.linspace(.5, .95, 10) and np.linspace(0, 1, 101), computed the same way.
const linspace = (a: number, b: number, n: number) => Array.from({ length: n }, (_, i) => a + ((b - a) * i) / (n - 1));

export const EVAL_DEFAULTS: EvalConfig = {
  iouThresholds: linspace(0.5, 0.95, 10),
  recallThresholds: linspace(0, 1, 101),
  maxDets: 100,
  areaRanges: { all: [0, 1e10], small: [0, 32 ** 2], medium: [32 ** 2, 96 ** 2], large: [96 ** 2, 1e10] },
};

/** Leukocyte types merged into 'WBC' by --merge-wbc (BCCD-3's label space). */
export const MERGE_INTO_WBC = ['NEU', 'LYM', 'MON', 'EOS', 'BAS'] as const;

/** Score threshold `eval` uses when it runs the model itself: keep everything up to top-k. */
export const EVAL_SCORE_THRESHOLD = 0;
