/** Otsu's threshold on float values, optionally only where `select` is nonzero. */

export interface OtsuResult {
  /** Values above it are foreground. */
  readonly threshold: number;
  /** Means of the two classes and the foreground's share of the selected values. */
  readonly backgroundMean: number;
  readonly foregroundMean: number;
  readonly foregroundFraction: number;
}

export function otsuThreshold(values: Float32Array, range: readonly [number, number], select?: Uint8Array, bins = 256): OtsuResult {
  const [lo, hi] = range;
  const hist = new Float64Array(bins);
  const scale = (bins - 1) / (hi - lo);
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    if (select && select[i] === 0) continue;
    const v = values[i];
    const b = v <= lo ? 0 : v >= hi ? bins - 1 : Math.round((v - lo) * scale);
    hist[b]++;
    n++;
  }
  if (n === 0) return { threshold: hi, backgroundMean: 0, foregroundMean: 0, foregroundFraction: 0 };
  let total = 0;
  for (let b = 0; b < bins; b++) total += b * hist[b];
  let w0 = 0;
  let sum0 = 0;
  let best = -1;
  let bestB = bins - 1;
  for (let b = 0; b < bins - 1; b++) {
    w0 += hist[b];
    sum0 += b * hist[b];
    const w1 = n - w0;
    if (w0 === 0 || w1 === 0) continue;
    const m0 = sum0 / w0;
    const m1 = (total - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      bestB = b;
    }
  }
  let c0 = 0;
  let s0 = 0;
  for (let b = 0; b <= bestB; b++) {
    c0 += hist[b];
    s0 += b * hist[b];
  }
  const c1 = n - c0;
  const toValue = (bin: number) => lo + bin / scale;
  return {
    threshold: toValue(bestB + 0.5),
    backgroundMean: c0 > 0 ? toValue(s0 / c0) : lo,
    foregroundMean: c1 > 0 ? toValue((total - s0) / c1) : hi,
    foregroundFraction: c1 / n,
  };
}
