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
  for (let y = 0; y < h; y++) {
    const sy = Math.min(mosaic.height - 1.001, p.y + y);
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(M - 1.001, p.x + x);
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const a = (y0 * M + x0) * 3;
      const b = a + M * 3;
      const o = (y * w + x) * 3;
      for (let c = 0; c < 3; c++) {
        const top = src[a + c] + (src[a + 3 + c] - src[a + c]) * fx;
        const bot = src[b + c] + (src[b + 3 + c] - src[b + c]) * fx;
        out[o + c] = top + (bot - top) * fy;
      }
    }
  }
  if (p.blurSigma > 0.3) gaussianBlurApprox(out, w, h, p.blurSigma);
  const rgb = new Uint8Array(w * h * 3);
  for (let i = 0; i < out.length; i++) {
    const v = out[i] * p.gain + (rng && options.noise > 0 ? options.noise * rng.normal() : 0);
    rgb[i] = v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
  }
  return { seq: p.index, timestampMs: options.startMs + Math.round((p.index * 1000) / options.fps), width: w, height: h, rgb };
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
