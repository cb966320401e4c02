import type { DetectionsXyxyPixels } from '../core/detections.js';
import { cxcywhNormToXyxyPixels, gatherBoxes, type ImageSize } from './boxes.js';
import { type NmsOptions, nmsSorted } from './nms.js';

/** Raw DETR head outputs for ONE image. */
export interface DetrOutputs {
  /** [Q * C] pre-sigmoid class logits, query-major (logits[q * C + c]). */
  readonly logits: Float32Array;
  /** [Q * 4] cxcywh normalised to the network input. */
  readonly boxes: Float32Array;
  readonly numQueries: number;
  readonly numClasses: number;
}

export interface PostprocessOptions {
  /** Size of the ORIGINAL frame: boxes come back in its pixels. */
  readonly imageSize: ImageSize;
  readonly classNames: readonly string[];
  /** Keep at most this many (query, class) pairs. */
  readonly topK: number;
  /** Then drop those scoring below this. */
  readonly scoreThreshold: number;
  /** Then class-grouped NMS (from the card's `postprocess`); absent: none. */
  readonly nms?: NmsOptions;
}

export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

export class OutputShapeError extends Error {
  constructor(detail: string) {
    super(`Model outputs do not match the card: ${detail}`);
    this.name = 'OutputShapeError';
  }
}

/**
 * Deformable-DETR's PostProcess: sigmoid over every (query, class) logit (no
 * background class), top-k over the Q x C scores, label = index % C,
 * query = floor(index / C), box cxcywh -> xyxy scaled to the frame. Then the
 * score threshold and, where the card asks for it, class-grouped NMS
 * (training/postprocess.py does the same). Results are sorted by score,
 * highest first.
 */
export function postprocessDetr(out: DetrOutputs, opts: PostprocessOptions): DetectionsXyxyPixels {
  const { numQueries: q, numClasses: c } = out;
  if (out.logits.length !== q * c) {
    throw new OutputShapeError(`logits has ${out.logits.length} values, expected Q*C = ${q}*${c}`);
  }
  if (out.boxes.length !== q * 4) {
    throw new OutputShapeError(`boxes has ${out.boxes.length} values, expected Q*4 = ${q}*4`);
  }
  if (opts.classNames.length !== c) {
    throw new OutputShapeError(`model has ${c} classes but the card names ${opts.classNames.length}`);
  }
  // Indices of every (query, class) pair, ordered by logit (sigmoid is monotonic).
  const n = q * c;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const logits = out.logits;
  order.sort((a, b) => logits[b] - logits[a] || a - b);

  const k = Math.min(opts.topK, n);
  const picked: number[] = [];
  const scores: number[] = [];
  for (let j = 0; j < k; j++) {
    const s = sigmoid(logits[order[j]]);
    if (s < opts.scoreThreshold) break; // sorted: the rest are lower
    picked.push(order[j]);
    scores.push(s);
  }
  const cxcywh = new Float32Array(picked.length * 4);
  const classIds = new Int32Array(picked.length);
  for (let j = 0; j < picked.length; j++) {
    const query = Math.floor(picked[j] / c);
    classIds[j] = picked[j] % c;
    cxcywh.set(out.boxes.subarray(query * 4, query * 4 + 4), j * 4);
  }
  const xyxy = cxcywhNormToXyxyPixels({ kind: 'cxcywh-norm', data: cxcywh }, opts.imageSize).data;
  const keep = opts.nms ? nmsSorted(xyxy, classIds, opts.nms) : null;
  return {
    kind: 'xyxy-pixels',
    imageWidth: opts.imageSize.width,
    imageHeight: opts.imageSize.height,
    boxes: keep ? gatherBoxes(xyxy, keep) : xyxy,
    scores: keep ? Float32Array.from(keep, (i) => scores[i]) : Float32Array.from(scores),
    classIds: keep ? Int32Array.from(keep, (i) => classIds[i]) : classIds,
    classNames: opts.classNames,
  };
}
