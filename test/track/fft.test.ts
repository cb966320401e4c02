import { describe, expect, it } from 'vitest';
import { fft1d, fft2d } from '../../src/track/registration/fft.js';

function naiveDft(re: number[], im: number[]): { re: number[]; im: number[] } {
  const n = re.length;
  const out = { re: new Array(n).fill(0), im: new Array(n).fill(0) };
  for (let k = 0; k < n; k++) {
    for (let t = 0; t < n; t++) {
      const a = (-2 * Math.PI * k * t) / n;
      out.re[k] += re[t] * Math.cos(a) - im[t] * Math.sin(a);
      out.im[k] += re[t] * Math.sin(a) + im[t] * Math.cos(a);
    }
  }
  return out;
}

describe('fft', () => {
  it('matches a naive DFT for n = 16', () => {
    const re = Array.from({ length: 16 }, (_, i) => Math.sin(i * 0.7) + (i % 3));
    const im = Array.from({ length: 16 }, (_, i) => Math.cos(i * 1.3));
    const want = naiveDft(re, im);
    const r = Float64Array.from(re);
    const m = Float64Array.from(im);
    fft1d(r, m, 16);
    for (let k = 0; k < 16; k++) {
      expect(r[k]).toBeCloseTo(want.re[k], 9);
      expect(m[k]).toBeCloseTo(want.im[k], 9);
    }
  });

  it('2D inverse undoes the forward transform', () => {
    const n = 32;
    const re = Float64Array.from({ length: n * n }, (_, i) => Math.sin(i * 0.37) * 10);
    const im = new Float64Array(n * n);
    const copy = Float64Array.from(re);
    fft2d(re, im, n);
    fft2d(re, im, n, true);
    for (let i = 0; i < re.length; i++) {
      expect(re[i]).toBeCloseTo(copy[i], 9);
      expect(im[i]).toBeCloseTo(0, 9);
    }
  });

  it('BAD SIZE - rejects a size that is not a power of two', () => {
    expect(() => fft1d(new Float64Array(12), new Float64Array(12), 12)).toThrow('FFT size must be a power of two, got 12');
  });
});
