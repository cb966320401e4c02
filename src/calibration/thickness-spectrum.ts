/**
 * Granulometry on a working-resolution mask: the pattern spectrum (histogram of local thickness
 * over foreground pixels, log-spaced radius bins) and its peak.
 */
import { median } from './aggregate.js';
import { localThickness } from './local-thickness.js';

export interface SpectrumResult {
  /** Peak radius in working px (discretisation corrected). */
  readonly radius: number;
  /** Share of the foreground whose thickness lies in the peak band. */
  readonly peakMass: number;
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
  const { thickness } = localThickness(mask, width, height);
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
  return {
    radius: median(inBand),
    peakMass: inBand.length / fg,
    atEdge: peak <= 1 || peak >= nb - 2,
  };
}
