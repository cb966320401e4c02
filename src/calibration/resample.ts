/** Box-average downsampling of a single-channel float image by a (non-integer) factor >= 1. */

export interface Plane {
  readonly width: number;
  readonly height: number;
  /** width*height values, row-major. */
  readonly data: Float32Array;
}

/**
 * Each output pixel is the mean of the source pixels whose centres fall in its footprint
 * [x*f, (x+1)*f) x [y*f, (y+1)*f). factor <= 1 returns the plane unchanged.
 */
export function boxDownsample(src: Plane, factor: number): Plane {
  if (factor <= 1) return src;
  const { width, height, data } = src;
  const W = Math.max(1, Math.floor(width / factor));
  const H = Math.max(1, Math.floor(height / factor));
  // Integral image, (width+1) x (height+1).
  const iw = width + 1;
  const integral = new Float64Array(iw * (height + 1));
  for (let y = 0; y < height; y++) {
    let rowSum = 0;
    for (let x = 0; x < width; x++) {
      rowSum += data[y * width + x];
      integral[(y + 1) * iw + x + 1] = integral[y * iw + x + 1] + rowSum;
    }
  }
  const xs = new Int32Array(W + 1);
  const ys = new Int32Array(H + 1);
  for (let x = 0; x <= W; x++) xs[x] = Math.min(width, Math.round(x * factor));
  for (let y = 0; y <= H; y++) ys[y] = Math.min(height, Math.round(y * factor));
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    const a = ys[y];
    const b = Math.max(a + 1, ys[y + 1]);
    for (let x = 0; x < W; x++) {
      const c = xs[x];
      const d = Math.max(c + 1, xs[x + 1]);
      const s = integral[b * iw + d] - integral[a * iw + d] - integral[b * iw + c] + integral[a * iw + c];
      out[y * W + x] = s / ((b - a) * (d - c));
    }
  }
  return { width: W, height: H, data: out };
}

/** Downsamples a 0/1 byte mask: an output pixel is 1 when every source pixel under it is 1. */
export function downsampleMaskAll(mask: Uint8Array, width: number, height: number, factor: number): Uint8Array {
  const plane = boxDownsample({ width, height, data: Float32Array.from(mask) }, factor);
  const out = new Uint8Array(plane.data.length);
  for (let i = 0; i < out.length; i++) out[i] = plane.data[i] > 0.999 ? 1 : 0;
  return out;
}
