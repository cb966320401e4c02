import type { Frame } from '../core/frame.js';
import type { Rng } from './rng.js';
import type { Mosaic, PathFrame } from './types.js';

export interface RenderOptions {
  width: number;
  height: number;
  /** Sensor noise, standard deviation in 8-bit levels. */
  noise: number;
  /** Timestamp of frame 0, ms since the epoch (frames follow at 1000 / fps). */
  startMs: number;
  fps: number;
}

/** Renders one camera frame: bilinear sample of the mosaic at the path pose, gain, blur, noise. */
export function renderFrame(mosaic: Mosaic, p: PathFrame, options: RenderOptions, rng: Rng | null): Frame {
  const { width: w, height: h } = options;
  const M = mosaic.width;
  const out = new Float32Array(w * h * 3);
  const src = mosaic.rgb;
  // the pose is the same for every pixel: one pair of bilinear weights per frame
  const px = Math.min(Math.max(0, p.x), M - w - 1.001);
  const py = Math.min(Math.max(0, p.y), mosaic.height - h - 1.001);
  const x0 = Math.floor(px);
  const y0 = Math.floor(py);
  const fx = px - x0;
  const fy = py - y0;
  const w00 = (1 - fx) * (1 - fy);
  const w01 = fx * (1 - fy);
  const w10 = (1 - fx) * fy;
  const w11 = fx * fy;
  const rowBytes = w * 3;
  for (let y = 0; y < h; y++) {
    const a = ((y0 + y) * M + x0) * 3;
    const b = a + M * 3;
    const o = y * rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      out[o + i] = w00 * src[a + i] + w01 * src[a + i + 3] + w10 * src[b + i] + w11 * src[b + i + 3];
    }
  }
  if (p.blurSigma > 0.3) gaussianBlurApprox(out, w, h, p.blurSigma);
  const rgb = new Uint8Array(w * h * 3);
  const noise = rng && options.noise > 0 ? noiseTable(rng, options.noise) : null;
  // a random start and odd stride into the table per frame: cheap, and not the same pattern twice
  let k = noise ? rng!.int(0, NOISE_TABLE) : 0;
  const stride = noise ? 2 * rng!.int(0, 1024) + 1 : 0;
  for (let i = 0; i < out.length; i++) {
    let v = out[i] * p.gain;
    if (noise) {
      v += noise[k];
      k = (k + stride) & (NOISE_TABLE - 1);
    }
    rgb[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { seq: p.index, timestampMs: options.startMs + Math.round((p.index * 1000) / options.fps), width: w, height: h, rgb };
}

/** Size of the table of Gaussian noise samples (a power of two). */
const NOISE_TABLE = 1 << 16;
const noiseTables = new WeakMap<Rng, Float32Array>();

function noiseTable(rng: Rng, sigma: number): Float32Array {
  let t = noiseTables.get(rng);
  if (!t) {
    t = new Float32Array(NOISE_TABLE);
    for (let i = 0; i < t.length; i++) t[i] = sigma * rng.normal();
    noiseTables.set(rng, t);
  }
  return t;
}

/** Three box-blur passes per axis (close to a Gaussian of the given sigma), in place on RGB floats. */
export function gaussianBlurApprox(img: Float32Array, w: number, h: number, sigma: number): void {
  const r = Math.max(1, Math.round((Math.sqrt(4 * sigma * sigma + 1) - 1) / 2));
  const tmp = new Float32Array(Math.max(w, h) * 3);
  for (let pass = 0; pass < 3; pass++) {
    for (let y = 0; y < h; y++) boxLine(img, tmp, y * w * 3, 3, w, r);
    for (let x = 0; x < w; x++) boxLine(img, tmp, x * 3, w * 3, h, r);
  }
}

function boxLine(img: Float32Array, tmp: Float32Array, start: number, stride: number, n: number, r: number): void {
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < n; i++) tmp[i] = img[start + i * stride + c];
    let sum = 0;
    for (let k = -r; k <= r; k++) sum += tmp[Math.min(n - 1, Math.max(0, k))];
    const inv = 1 / (2 * r + 1);
    for (let i = 0; i < n; i++) {
      img[start + i * stride + c] = sum * inv;
      sum += tmp[Math.min(n - 1, i + r + 1)] - tmp[Math.max(0, i - r)];
    }
  }
}
