import type { ModelCard } from '../core/model-card.js';

/** The part of a `Frame` that pre-processing reads. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** Packed RGB24, row-major, width * height * 3 bytes. */
  readonly rgb: Uint8Array;
}

export type PreprocessSpec = Pick<ModelCard, 'input' | 'mean' | 'std' | 'resize'>;

/** NCHW float32 tensor data for one image, with its dims. */
export interface InputTensor {
  /** [1 * 3 * H * W] */
  readonly data: Float32Array;
  readonly dims: readonly [1, 3, number, number];
}

export class InputShapeError extends Error {
  constructor(detail: string) {
    super(detail);
    this.name = 'InputShapeError';
  }
}

export function assertRgbImage(img: RgbImage, what = 'image'): void {
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width <= 0 || img.height <= 0) {
    throw new InputShapeError(`${what}: size must be positive integers, got ${img.width}x${img.height}`);
  }
  const expected = img.width * img.height * 3;
  if (img.rgb.length !== expected) {
    throw new InputShapeError(`${what}: expected ${expected} RGB bytes for ${img.width}x${img.height}, got ${img.rgb.length}`);
  }
}

/**
 * Source sample positions for a 1-D bilinear resize with half-pixel centres
 * (PyTorch `interpolate(mode='bilinear', align_corners=False)`, OpenCV INTER_LINEAR):
 * src = (dst + 0.5) * in/out - 0.5, clamped to [0, in - 1].
 */
export function bilinearTaps(inSize: number, outSize: number): { i0: Int32Array; i1: Int32Array; w1: Float32Array } {
  const i0 = new Int32Array(outSize);
  const i1 = new Int32Array(outSize);
  const w1 = new Float32Array(outSize);
  const scale = inSize / outSize;
  for (let d = 0; d < outSize; d++) {
    let s = (d + 0.5) * scale - 0.5;
    if (s < 0) s = 0;
    const lo = Math.min(Math.floor(s), inSize - 1);
    i0[d] = lo;
    i1[d] = Math.min(lo + 1, inSize - 1);
    w1[d] = s - lo;
  }
  return { i0, i1, w1 };
}

/**
 * The card's pre-processing, as one pure pass: 'stretch' resize of the RGB
 * frame to card.input (bilinear, half-pixel centres; no-op when the sizes
 * match), then (pixel / 255 - mean) / std per channel, laid out NCHW.
 */
export function preprocessRgb(img: RgbImage, spec: PreprocessSpec): InputTensor {
  assertRgbImage(img);
  const W = spec.input.width;
  const H = spec.input.height;
  const plane = W * H;
  const data = new Float32Array(3 * plane);
  // Fold /255, mean and std into one multiply-add per channel.
  const a = [0, 1, 2].map((c) => 1 / (255 * spec.std[c]));
  const b = [0, 1, 2].map((c) => -spec.mean[c] / spec.std[c]);
  const src = img.rgb;
  const sw = img.width;

  if (img.width === W && img.height === H) {
    for (let p = 0; p < plane; p++) {
      const s = p * 3;
      data[p] = src[s] * a[0] + b[0];
      data[plane + p] = src[s + 1] * a[1] + b[1];
      data[2 * plane + p] = src[s + 2] * a[2] + b[2];
    }
    return { data, dims: [1, 3, H, W] };
  }

  const xs = bilinearTaps(img.width, W);
  const ys = bilinearTaps(img.height, H);
  for (let y = 0; y < H; y++) {
    const r0 = ys.i0[y] * sw;
    const r1 = ys.i1[y] * sw;
    const wy = ys.w1[y];
    for (let x = 0; x < W; x++) {
      const wx = xs.w1[x];
      const p00 = (r0 + xs.i0[x]) * 3;
      const p01 = (r0 + xs.i1[x]) * 3;
      const p10 = (r1 + xs.i0[x]) * 3;
      const p11 = (r1 + xs.i1[x]) * 3;
      const o = y * W + x;
      for (let c = 0; c < 3; c++) {
        const top = src[p00 + c] + (src[p01 + c] - src[p00 + c]) * wx;
        const bot = src[p10 + c] + (src[p11 + c] - src[p10 + c]) * wx;
        data[c * plane + o] = (top + (bot - top) * wy) * a[c] + b[c];
      }
    }
  }
  return { data, dims: [1, 3, H, W] };
}
