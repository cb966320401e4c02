/**
 * Radix-2 complex FFT, in place, on split real/imaginary Float64Arrays.
 * Sizes must be powers of two. Plans (bit reversal + twiddles) are cached per size.
 */

interface Plan {
  readonly n: number;
  readonly rev: Uint32Array;
  readonly cos: Float64Array;
  readonly sin: Float64Array;
}

const plans = new Map<number, Plan>();

export function isPowerOfTwo(n: number): boolean {
  return Number.isInteger(n) && n > 0 && (n & (n - 1)) === 0;
}

function plan(n: number): Plan {
  let p = plans.get(n);
  if (p) return p;
  if (!isPowerOfTwo(n)) throw new Error(`FFT size must be a power of two, got ${n}`);
  const bits = Math.round(Math.log2(n));
  const rev = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    let r = 0;
    for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
    rev[i] = r;
  }
  const cos = new Float64Array(n / 2);
  const sin = new Float64Array(n / 2);
  for (let i = 0; i < n / 2; i++) {
    cos[i] = Math.cos((2 * Math.PI * i) / n);
    sin[i] = Math.sin((2 * Math.PI * i) / n);
  }
  p = { n, rev, cos, sin };
  plans.set(n, p);
  return p;
}

/**
 * 1D FFT of `n` elements starting at `offset` with `stride`, in place.
 * inverse: computes the unnormalised inverse (caller divides by n).
 */
export function fft1d(re: Float64Array, im: Float64Array, n: number, inverse = false, offset = 0, stride = 1): void {
  const { rev, cos, sin } = plan(n);
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      const a = offset + i * stride;
      const b = offset + j * stride;
      let t = re[a]; re[a] = re[b]; re[b] = t;
      t = im[a]; im[a] = im[b]; im[b] = t;
    }
  }
  const sign = inverse ? 1 : -1;
  for (let size = 2; size <= n; size <<= 1) {
    const half = size >> 1;
    const step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let k = 0; k < half; k++) {
        const wr = cos[k * step];
        const wi = sign * sin[k * step];
        const a = offset + (start + k) * stride;
        const b = offset + (start + k + half) * stride;
        const xr = re[b] * wr - im[b] * wi;
        const xi = re[b] * wi + im[b] * wr;
        re[b] = re[a] - xr;
        im[b] = im[a] - xi;
        re[a] += xr;
        im[a] += xi;
      }
    }
  }
}

/** 2D FFT of a row-major `size x size` complex image, in place. inverse is normalised by 1/size^2. */
export function fft2d(re: Float64Array, im: Float64Array, size: number, inverse = false): void {
  if (re.length !== size * size || im.length !== size * size) {
    throw new Error(`fft2d: expected ${size * size} elements, got re ${re.length}, im ${im.length}`);
  }
  for (let y = 0; y < size; y++) fft1d(re, im, size, inverse, y * size, 1);
  for (let x = 0; x < size; x++) fft1d(re, im, size, inverse, x, size);
  if (inverse) {
    const s = 1 / (size * size);
    for (let i = 0; i < re.length; i++) {
      re[i] *= s;
      im[i] *= s;
    }
  }
}
