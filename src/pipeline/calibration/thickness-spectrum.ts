/**
 * One pass of the scale estimator on a working-resolution mask: the pattern spectrum (histogram
 * of local thickness over foreground pixels, log-spaced radius bins), its peak, and the evidence
 * that the peak comes from many round objects (red cells) rather than bars or noise.
 */
import { localThickness } from './local-thickness.js';

export interface SpectrumResult {
  /** Peak radius in working px (discretisation corrected). */
  readonly radius: number;
  /** Share of the foreground whose thickness lies in the peak band. */
  readonly peakMass: number;
  /** Red-cell-sized objects: area in the band / (pi r^2). */
  readonly cells: number;
  /** Medial-axis pixels in the band per cell (a disc has ~1, a bar of length L has ~L). */
  readonly ridgePerCell: number;
  /** Second estimate: median radius at the distance maxima (cell centres), or null. */
  readonly centreRadius: number | null;
  /** Whether the peak sits on the lower or upper end of the searched range. */
  readonly atEdge: boolean;
}

/** Bins per doubling of radius. */
const BINS_PER_OCTAVE = 18;
/** The peak band is [peak / BAND, peak * BAND]. */
const BAND = 1.2;
/** A digital disc's centre lies about half a pixel further from the background than its radius. */
const DISCRETE_OFFSET = 0.5;

export function thicknessSpectrum(mask: Uint8Array, width: number, height: number, rMin: number, rMax: number): SpectrumResult | null {
  const { thickness, distance, ridge } = localThickness(mask, width, height);
  const lo = Math.max(0.5, rMin);
  const nb = Math.max(3, Math.ceil(Math.log2(rMax / lo) * BINS_PER_OCTAVE));
  const hist = new Float64Array(nb);
  let fg = 0;
  for (let i = 0; i < thickness.length; i++) {
    const t = thickness[i];
    if (t === 0) continue;
    fg++;
    const r = t - DISCRETE_OFFSET;
    if (r < lo || r >= rMax) continue;
    hist[Math.min(nb - 1, Math.floor(Math.log2(r / lo) * BINS_PER_OCTAVE))]++;
  }
  if (fg === 0) return null;
  const smooth = new Float64Array(nb);
  const kernel = [1, 2, 3, 2, 1];
  for (let b = 0; b < nb; b++) {
    let s = 0;
    for (let k = -2; k <= 2; k++) {
      const j = b + k;
      if (j >= 0 && j < nb) s += hist[j] * kernel[k + 2];
    }
    smooth[b] = s;
  }
  let peak = 0;
  for (let b = 1; b < nb; b++) if (smooth[b] > smooth[peak]) peak = b;
  if (smooth[peak] === 0) return null;
  const peakR = lo * 2 ** ((peak + 0.5) / BINS_PER_OCTAVE);
  const bandLo = peakR / BAND;
  const bandHi = peakR * BAND;
  const inBand: number[] = [];
  for (let i = 0; i < thickness.length; i++) {
    const r = thickness[i] - DISCRETE_OFFSET;
    if (thickness[i] > 0 && r >= bandLo && r <= bandHi) inBand.push(r);
  }
  const radius = median(inBand);
  let ridgeInBand = 0;
  const centres: number[] = [];
  for (let k = 0; k < ridge.length; k++) {
    const i = ridge[k];
    const r = distance[i] - DISCRETE_OFFSET;
    if (r >= bandLo && r <= bandHi) ridgeInBand++;
    if (r >= radius / 2 && r <= radius * 2 && isLocalMax(distance, width, height, i)) centres.push(r);
  }
  const cells = inBand.length / (Math.PI * radius * radius);
  return {
    radius,
    peakMass: inBand.length / fg,
    cells,
    ridgePerCell: cells > 0 ? ridgeInBand / cells : Infinity,
    centreRadius: centres.length > 0 ? median(centres) : null,
    atEdge: peak <= 1 || peak >= nb - 2,
  };
}

function isLocalMax(d: Float32Array, width: number, height: number, i: number): boolean {
  const x = i % width;
  const y = (i - x) / width;
  const v = d[i];
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      const yy = y + dy;
      if ((dx || dy) && xx >= 0 && yy >= 0 && xx < width && yy < height && d[yy * width + xx] > v) return false;
    }
  }
  return true;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const s = values.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
