import type { GreyImage } from './grey.js';

/**
 * Focus score: variance of the 4-neighbour Laplacian over the image interior.
 * Higher is sharper; it scales with contrast, so compare it to recent frames.
 */
export function varianceOfLaplacian(img: GreyImage): number {
  const { width: w, height: h, data } = img;
  if (w < 3 || h < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < h - 1; y++) {
    for (let x = 1; x < w - 1; x++) {
      const i = y * w + x;
      const l = data[i - 1] + data[i + 1] + data[i - w] + data[i + w] - 4 * data[i];
      sum += l;
      sumSq += l * l;
      n++;
    }
  }
  const mean = sum / n;
  return sumSq / n - mean * mean;
}

/** The q-quantile (0..1) of values (copied, not mutated). */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return 0;
  const s = [...values].sort((a, b) => a - b);
  const pos = Math.min(s.length - 1, Math.max(0, Math.round(q * (s.length - 1))));
  return s[pos];
}
