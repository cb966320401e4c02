import type { Frame } from '../../core/frame.js';

/** A single-channel float image, row-major. */
export interface GreyImage {
  readonly width: number;
  readonly height: number;
  readonly data: Float32Array;
  /** Frame pixels per grey pixel. */
  readonly scale: number;
}

/** Integer box-downscale factor so that the frame fits in `maxSide` x `maxSide`. */
export function downscaleFactor(width: number, height: number, maxSide: number): number {
  return Math.max(1, Math.ceil(Math.max(width, height) / maxSide));
}

/** Luma (BT.601) of the frame, box-averaged by an integer factor. */
export function greyDownscaled(frame: Frame, factor: number): GreyImage {
  const w = Math.floor(frame.width / factor);
  const h = Math.floor(frame.height / factor);
  const out = new Float32Array(w * h);
  const rgb = frame.rgb;
  const inv = 1 / (factor * factor);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let s = 0;
      for (let dy = 0; dy < factor; dy++) {
        let p = ((y * factor + dy) * frame.width + x * factor) * 3;
        for (let dx = 0; dx < factor; dx++, p += 3) {
          s += 0.299 * rgb[p] + 0.587 * rgb[p + 1] + 0.114 * rgb[p + 2];
        }
      }
      out[y * w + x] = s * inv;
    }
  }
  return { width: w, height: h, data: out, scale: factor };
}
