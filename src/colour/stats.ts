import { SRGB_TO_LINEAR, linearRgbToLab } from './lab.js';

export type Vec3 = [number, number, number];

/** Pixels to measure: packed RGB24. */
export interface RgbImageView {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
}

export interface BackgroundOptions {
  readonly stride: number;
  readonly backgroundFraction: number;
  readonly highlightFraction: number;
}

/**
 * Mean sRGB of the background (plasma): in bright-field microscopy the brightest pixels.
 * Takes pixels whose luma (BT.709 weights) ranks in the top `backgroundFraction`, minus the top
 * `highlightFraction` (clipped glare), sampling every `stride`-th pixel in x and y.
 * `select` (width*height, optional): only pixels where it is nonzero (e.g. inside the field of view).
 */
export function measureBackgroundRgb(img: RgbImageView, options: BackgroundOptions, select?: Uint8Array): Vec3 {
  const { width, height, rgb } = img;
  const stride = Math.max(1, Math.floor(options.stride));
  const hist = new Uint32Array(256);
  let n = 0;
  for (let y = 0; y < height; y += stride) {
    for (let x = 0; x < width; x += stride) {
      if (select && select[y * width + x] === 0) continue;
      const i = (y * width + x) * 3;
      hist[(rgb[i] * 54 + rgb[i + 1] * 183 + rgb[i + 2] * 19) >> 8]++;
      n++;
    }
  }
  if (n === 0) return [0, 0, 0];
  // Luma thresholds: lo = start of the top fraction, hi = start of the highlights.
  const wantTop = Math.max(1, Math.round(n * options.backgroundFraction));
  const wantHighlights = Math.round(n * options.highlightFraction);
  let lo = 255;
  let hi = 256;
  let acc = 0;
  for (let v = 255; v >= 0; v--) {
    acc += hist[v];
    if (hi === 256 && wantHighlights > 0 && acc > wantHighlights) hi = v + 1;
    if (acc >= wantTop) {
      lo = v;
      break;
    }
  }
  if (hi <= lo) hi = 256; // the band collapsed (flat image): keep everything above lo
  const sum: Vec3 = [0, 0, 0];
  let count = 0;
  for (let y = 0; y < height; y += stride) {
    for (let x = 0; x < width; x += stride) {
      if (select && select[y * width + x] === 0) continue;
      const i = (y * width + x) * 3;
      const l = (rgb[i] * 54 + rgb[i + 1] * 183 + rgb[i + 2] * 19) >> 8;
      if (l >= lo && l < hi) {
        sum[0] += rgb[i];
        sum[1] += rgb[i + 1];
        sum[2] += rgb[i + 2];
        count++;
      }
    }
  }
  if (count === 0) return [0, 0, 0];
  return [sum[0] / count, sum[1] / count, sum[2] / count];
}

export interface LabStats {
  readonly mean: Vec3;
  readonly std: Vec3;
}

/**
 * Mean and std of L*, a*, b* over sampled pixels after multiplying linear light by
 * `linearGains` (the white balance about to be applied); only where `select` is nonzero when given.
 * No selected pixel: mean and std are 0.
 */
export function measureLabStats(img: RgbImageView, stride: number, linearGains: Vec3 = [1, 1, 1], select?: Uint8Array): LabStats {
  const { width, height, rgb } = img;
  const s = Math.max(1, Math.floor(stride));
  const lab = new Float64Array(3);
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  let n = 0;
  const [gr, gg, gb] = linearGains;
  for (let y = 0; y < height; y += s) {
    for (let x = 0; x < width; x += s) {
      if (select && select[y * width + x] === 0) continue;
      const i = (y * width + x) * 3;
      linearRgbToLab(
        Math.min(1, SRGB_TO_LINEAR[rgb[i]] * gr),
        Math.min(1, SRGB_TO_LINEAR[rgb[i + 1]] * gg),
        Math.min(1, SRGB_TO_LINEAR[rgb[i + 2]] * gb),
        lab,
      );
      for (let c = 0; c < 3; c++) {
        sum[c] += lab[c];
        sq[c] += lab[c] * lab[c];
      }
      n++;
    }
  }
  if (n === 0) return { mean: [0, 0, 0], std: [0, 0, 0] };
  const mean: Vec3 = [sum[0] / n, sum[1] / n, sum[2] / n];
  const std = mean.map((m, c) => Math.sqrt(Math.max(0, sq[c] / n - m * m))) as Vec3;
  return { mean, std };
}
