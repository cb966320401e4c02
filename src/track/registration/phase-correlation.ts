import { fft2d, isPowerOfTwo } from './fft.js';
import type { GreyImage } from './grey.js';

/** FFT of a mean-removed, Hann-windowed grey image zero-padded to size x size. */
export interface Spectrum {
  readonly size: number;
  readonly re: Float64Array;
  readonly im: Float64Array;
  /** Frame pixels per spectrum pixel. */
  readonly scale: number;
}

export interface Correlation {
  /** Content shift from a to b, frame pixels: b(x) = a(x - d). */
  readonly dx: number;
  readonly dy: number;
  /** Peak-to-sidelobe ratio of the correlation surface. */
  readonly confidence: number;
}

/** Half-width of the window around the peak left out of the sidelobe statistics. */
const SIDELOBE_EXCLUDE = 5;

export function spectrum(img: GreyImage, size: number): Spectrum {
  if (!isPowerOfTwo(size)) throw new Error(`phase correlation size must be a power of two, got ${size}`);
  if (img.width > size || img.height > size) {
    throw new Error(`phase correlation: image ${img.width}x${img.height} does not fit in ${size}x${size}`);
  }
  const { width: w, height: h, data } = img;
  let mean = 0;
  for (let i = 0; i < data.length; i++) mean += data[i];
  mean /= data.length;
  const re = new Float64Array(size * size);
  const im = new Float64Array(size * size);
  const wx = hann(w);
  const wy = hann(h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) re[y * size + x] = (data[y * w + x] - mean) * wx[x] * wy[y];
  }
  fft2d(re, im, size);
  return { size, re, im, scale: img.scale };
}

function hann(n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * (i + 0.5)) / n);
  return out;
}

/** Phase correlation of two spectra of the same size and scale. */
export function correlate(a: Spectrum, b: Spectrum): Correlation {
  if (a.size !== b.size || a.scale !== b.scale) {
    throw new Error(`phase correlation: spectra differ (size ${a.size} vs ${b.size}, scale ${a.scale} vs ${b.scale})`);
  }
  const n = a.size;
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  // cross-power spectrum conj(A) * B, normalised to unit magnitude
  for (let i = 0; i < re.length; i++) {
    const cr = a.re[i] * b.re[i] + a.im[i] * b.im[i];
    const ci = a.re[i] * b.im[i] - a.im[i] * b.re[i];
    const mag = Math.hypot(cr, ci);
    if (mag > 1e-12) {
      re[i] = cr / mag;
      im[i] = ci / mag;
    }
  }
  fft2d(re, im, n, true);
  let best = 0;
  for (let i = 1; i < re.length; i++) if (re[i] > re[best]) best = i;
  const px = best % n;
  const py = (best - px) / n;
  const at = (x: number, y: number) => re[((y + n) % n) * n + ((x + n) % n)];
  const peak = re[best];
  const ox = subPixel(at(px - 1, py), peak, at(px + 1, py));
  const oy = subPixel(at(px, py - 1), peak, at(px, py + 1));
  // sidelobe statistics
  let sum = 0;
  let sumSq = 0;
  let count = 0;
  for (let y = 0; y < n; y++) {
    const ddy = Math.min(Math.abs(y - py), n - Math.abs(y - py));
    for (let x = 0; x < n; x++) {
      const ddx = Math.min(Math.abs(x - px), n - Math.abs(x - px));
      if (ddx <= SIDELOBE_EXCLUDE && ddy <= SIDELOBE_EXCLUDE) continue;
      const v = re[y * n + x];
      sum += v;
      sumSq += v * v;
      count++;
    }
  }
  const mean = sum / count;
  const std = Math.sqrt(Math.max(1e-18, sumSq / count - mean * mean));
  const wrap = (p: number) => (p > n / 2 ? p - n : p);
  return {
    dx: (wrap(px) + ox) * a.scale,
    dy: (wrap(py) + oy) * a.scale,
    confidence: (peak - mean) / std,
  };
}

/** Sub-pixel offset of a correlation peak from its two neighbours, in [-0.5, 0.5]. */
export function subPixel(left: number, centre: number, right: number): number {
  // The normalised cross-power spectrum makes the peak a sampled sinc (Dirichlet kernel):
  // for a true offset d in [0, 1), r(+1) / r(0) = d / (1 - d)  (Foroosh et al. 2002).
  // Both one-sided estimates are combined so a symmetric peak gives 0.
  if (centre <= 0) return 0;
  const up = right > 0 ? right / (right + centre) : 0;
  const down = left > 0 ? left / (left + centre) : 0;
  return Math.max(-0.5, Math.min(0.5, up - down));
}
