import type { ModelCard } from '../core/model-card.js';
import { type RgbImage, resizeRgbPilBilinear } from './resize-pil.js';

export type { RgbImage } from './resize-pil.js';

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
 * The card's pre-processing, as pure steps: 'stretch' resize of the RGB frame
 * to card.input with Pillow's BILINEAR (what training used; a no-op when the
 * sizes match), then (pixel / 255 - mean) / std per channel, laid out NCHW.
 */
export function preprocessRgb(img: RgbImage, spec: PreprocessSpec): InputTensor {
  assertRgbImage(img);
  const W = spec.input.width;
  const H = spec.input.height;
  const resized = resizeRgbPilBilinear(img, W, H);
  return { data: normaliseToNchw(resized, spec), dims: [1, 3, H, W] };
}

/** (pixel / 255 - mean) / std per channel, interleaved RGB -> planes. */
export function normaliseToNchw(img: RgbImage, spec: Pick<PreprocessSpec, 'mean' | 'std'>): Float32Array {
  const plane = img.width * img.height;
  const data = new Float32Array(3 * plane);
  // Fold /255, mean and std into one multiply-add per channel.
  const a0 = 1 / (255 * spec.std[0]);
  const a1 = 1 / (255 * spec.std[1]);
  const a2 = 1 / (255 * spec.std[2]);
  const b0 = -spec.mean[0] / spec.std[0];
  const b1 = -spec.mean[1] / spec.std[1];
  const b2 = -spec.mean[2] / spec.std[2];
  const src = img.rgb;
  for (let p = 0; p < plane; p++) {
    const s = p * 3;
    data[p] = src[s] * a0 + b0;
    data[plane + p] = src[s + 1] * a1 + b1;
    data[2 * plane + p] = src[s + 2] * a2 + b2;
  }
  return data;
}
