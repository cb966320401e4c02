import type { ModelCard } from '../core/model-card.js';
import type { ColourNormaliseConfig } from './config.js';
import { SRGB_TO_LINEAR, labToLinearRgb, linearRgbToLab, linearToSrgb } from './lab.js';
import type { LabStats, Vec3 } from './stats.js';

export type ColourReference = ModelCard['colourReference'];

/** A source's calibration to the model's colour reference. Pure data. */
export interface ColourCalibration {
  readonly mode: ColourNormaliseConfig['mode'];
  /** Per-channel gains on linear light (white balance). */
  readonly linearGains: Vec3;
  /** Reinhard: lab' = (lab - sourceMean) * scale + targetMean. */
  readonly labSourceMean: Vec3;
  readonly labScale: Vec3;
  readonly labTargetMean: Vec3;
}

export const IDENTITY_CALIBRATION: ColourCalibration = {
  mode: 'wb',
  linearGains: [1, 1, 1],
  labSourceMean: [0, 0, 0],
  labScale: [1, 1, 1],
  labTargetMean: [0, 0, 0],
};

const clamp = (v: number, lo: number, hi: number): number => (v < lo ? lo : v > hi ? hi : v);

function srgbFloatToLinear(v: number): number {
  const c = clamp(v, 0, 255) / 255;
  return c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
}

/** Linear-light gains that map the measured background onto the reference background. */
export function whiteBalanceGains(measuredBackground: Vec3, referenceBackground: Vec3, maxGain: number): Vec3 {
  return [0, 1, 2].map((c) => {
    const m = srgbFloatToLinear(measuredBackground[c]);
    const r = srgbFloatToLinear(referenceBackground[c]);
    return m <= 1e-6 ? 1 : clamp(r / m, 1 / maxGain, maxGain);
  }) as Vec3;
}

export interface CalibrationInput {
  /** Measured background sRGB of the source (smoothed). */
  readonly background: Vec3;
  /** LAB statistics of the source after white balance with `whiteBalanceGains(background, …)`. */
  readonly lab: LabStats;
}

/** Pure: the calibration for a source, given its statistics and the model's reference. */
export function computeCalibration(
  input: CalibrationInput,
  reference: ColourReference,
  config: Pick<ColourNormaliseConfig, 'mode' | 'maxGain' | 'maxStdRatio'>,
): ColourCalibration {
  const useWb = config.mode !== 'lab';
  const useLab = config.mode !== 'wb';
  const linearGains: Vec3 = useWb ? whiteBalanceGains(input.background, reference.backgroundRgb, config.maxGain) : [1, 1, 1];
  const labScale = [0, 1, 2].map((c) =>
    useLab ? clamp(reference.labStd[c] / Math.max(1e-3, input.lab.std[c]), 1 / config.maxStdRatio, config.maxStdRatio) : 1,
  ) as Vec3;
  return {
    mode: config.mode,
    linearGains,
    labSourceMean: useLab ? input.lab.mean : [0, 0, 0],
    labScale,
    labTargetMean: useLab ? [...reference.labMean] : [0, 0, 0],
  };
}

/** The exact per-pixel transform (slow path; the LUT samples it). sRGB floats in, sRGB floats out. */
export function transformSrgb(cal: ColourCalibration, r: number, g: number, b: number, out: Float64Array): void {
  const lr = Math.min(1, srgbFloatToLinear(r) * cal.linearGains[0]);
  const lg = Math.min(1, srgbFloatToLinear(g) * cal.linearGains[1]);
  const lb = Math.min(1, srgbFloatToLinear(b) * cal.linearGains[2]);
  if (cal.mode === 'wb') {
    out[0] = linearToSrgb(lr);
    out[1] = linearToSrgb(lg);
    out[2] = linearToSrgb(lb);
    return;
  }
  linearRgbToLab(lr, lg, lb, out);
  const L = (out[0] - cal.labSourceMean[0]) * cal.labScale[0] + cal.labTargetMean[0];
  const A = (out[1] - cal.labSourceMean[1]) * cal.labScale[1] + cal.labTargetMean[1];
  const B = (out[2] - cal.labSourceMean[2]) * cal.labScale[2] + cal.labTargetMean[2];
  labToLinearRgb(clamp(L, 0, 100), A, B, out);
  out[0] = linearToSrgb(out[0]);
  out[1] = linearToSrgb(out[1]);
  out[2] = linearToSrgb(out[2]);
}

export { SRGB_TO_LINEAR };
