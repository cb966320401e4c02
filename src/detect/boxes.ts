/**
 * Box conventions as types, and the pure conversions between them.
 *
 * - `BoxesCxcywhNorm`: what the DETR head outputs, (cx, cy, w, h) as fractions
 *   of the network input. With the card's 'stretch' resize these are also
 *   fractions of the original frame.
 * - xyxy pixels: (x1, y1, x2, y2) in pixels of the original frame, the
 *   convention of `DetectionsXyxyPixels`.
 * - `BoxesXywhPixels`: COCO's (x, y, w, h) with (x, y) the top-left corner.
 */
export interface BoxesCxcywhNorm {
  readonly kind: 'cxcywh-norm';
  /** [n * 4] cx, cy, w, h in [0, 1] */
  readonly data: Float32Array;
}

export interface BoxesXyxyPixels {
  readonly kind: 'xyxy-pixels';
  /** [n * 4] x1, y1, x2, y2 in pixels */
  readonly data: Float32Array;
}

export interface BoxesXywhPixels {
  readonly kind: 'xywh-pixels';
  /** [n * 4] x, y (top-left), w, h in pixels */
  readonly data: Float32Array;
}

export interface ImageSize {
  readonly width: number;
  readonly height: number;
}

/** DETR's box_cxcywh_to_xyxy followed by scaling with (w, h, w, h) of the frame. */
export function cxcywhNormToXyxyPixels(boxes: BoxesCxcywhNorm, size: ImageSize): BoxesXyxyPixels {
  const src = boxes.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    const cx = src[i];
    const cy = src[i + 1];
    const hw = src[i + 2] / 2;
    const hh = src[i + 3] / 2;
    out[i] = (cx - hw) * size.width;
    out[i + 1] = (cy - hh) * size.height;
    out[i + 2] = (cx + hw) * size.width;
    out[i + 3] = (cy + hh) * size.height;
  }
  return { kind: 'xyxy-pixels', data: out };
}

export function xyxyPixelsToCxcywhNorm(boxes: BoxesXyxyPixels, size: ImageSize): BoxesCxcywhNorm {
  const src = boxes.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    const x1 = src[i];
    const y1 = src[i + 1];
    const x2 = src[i + 2];
    const y2 = src[i + 3];
    out[i] = (x1 + x2) / 2 / size.width;
    out[i + 1] = (y1 + y2) / 2 / size.height;
    out[i + 2] = (x2 - x1) / size.width;
    out[i + 3] = (y2 - y1) / size.height;
  }
  return { kind: 'cxcywh-norm', data: out };
}

export function xyxyToXywhPixels(boxes: BoxesXyxyPixels): BoxesXywhPixels {
  const src = boxes.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    out[i] = src[i];
    out[i + 1] = src[i + 1];
    out[i + 2] = src[i + 2] - src[i];
    out[i + 3] = src[i + 3] - src[i + 1];
  }
  return { kind: 'xywh-pixels', data: out };
}

export function xywhToXyxyPixels(boxes: BoxesXywhPixels): BoxesXyxyPixels {
  const src = boxes.data;
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 4) {
    out[i] = src[i];
    out[i + 1] = src[i + 1];
    out[i + 2] = src[i] + src[i + 2];
    out[i + 3] = src[i + 1] + src[i + 3];
  }
  return { kind: 'xyxy-pixels', data: out };
}

/** The boxes at `indices` of an [n * 4] box array (any convention), in that order. */
export function gatherBoxes(boxes: Float32Array, indices: readonly number[]): Float32Array {
  const out = new Float32Array(indices.length * 4);
  indices.forEach((i, k) => out.set(boxes.subarray(i * 4, i * 4 + 4), k * 4));
  return out;
}
