/**
 * sRGB <-> CIE L*a*b* (D65 white, 2° observer). Channel values: sRGB 0-255,
 * L in [0, 100], a and b roughly [-128, 127].
 */

const XN = 0.95047;
const YN = 1.0;
const ZN = 1.08883;
const EPS = 216 / 24389;
const KAPPA = 24389 / 27;

/** sRGB byte -> linear light [0, 1]. */
export const SRGB_TO_LINEAR: Float32Array = (() => {
  const t = new Float32Array(256);
  for (let i = 0; i < 256; i++) {
    const c = i / 255;
    t[i] = c <= 0.04045 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
  }
  return t;
})();

/** Linear light [0, 1] (clamped) -> sRGB [0, 255] as a float. */
export function linearToSrgb(v: number): number {
  const c = v <= 0 ? 0 : v >= 1 ? 1 : v;
  const s = c <= 0.0031308 ? c * 12.92 : 1.055 * Math.pow(c, 1 / 2.4) - 0.055;
  return s * 255;
}

function f(t: number): number {
  return t > EPS ? Math.cbrt(t) : (KAPPA * t + 16) / 116;
}

function fInv(t: number): number {
  const t3 = t * t * t;
  return t3 > EPS ? t3 : (116 * t - 16) / KAPPA;
}

/** Linear RGB [0, 1] -> Lab, written to out[0..2]. */
export function linearRgbToLab(r: number, g: number, b: number, out: Float64Array | number[]): void {
  const x = (0.4124564 * r + 0.3575761 * g + 0.1804375 * b) / XN;
  const y = (0.2126729 * r + 0.7151522 * g + 0.072175 * b) / YN;
  const z = (0.0193339 * r + 0.119192 * g + 0.9503041 * b) / ZN;
  const fx = f(x);
  const fy = f(y);
  const fz = f(z);
  out[0] = 116 * fy - 16;
  out[1] = 500 * (fx - fy);
  out[2] = 200 * (fy - fz);
}

/** Lab -> linear RGB (unclamped), written to out[0..2]. */
export function labToLinearRgb(L: number, a: number, bb: number, out: Float64Array | number[]): void {
  const fy = (L + 16) / 116;
  const fx = fy + a / 500;
  const fz = fy - bb / 200;
  const x = fInv(fx) * XN;
  const y = (L > KAPPA * EPS ? fy * fy * fy : L / KAPPA) * YN;
  const z = fInv(fz) * ZN;
  out[0] = 3.2404542 * x - 1.5371385 * y - 0.4985314 * z;
  out[1] = -0.969266 * x + 1.8760108 * y + 0.041556 * z;
  out[2] = 0.0556434 * x - 0.2040259 * y + 1.0572252 * z;
}

/** sRGB bytes -> Lab. */
export function srgbToLab(r: number, g: number, b: number, out: Float64Array | number[]): void {
  linearRgbToLab(SRGB_TO_LINEAR[r], SRGB_TO_LINEAR[g], SRGB_TO_LINEAR[b], out);
}

/** Lab -> sRGB floats in [0, 255] (clamped). */
export function labToSrgb(L: number, a: number, b: number, out: Float64Array | number[]): void {
  labToLinearRgb(L, a, b, out);
  out[0] = linearToSrgb(out[0]);
  out[1] = linearToSrgb(out[1]);
  out[2] = linearToSrgb(out[2]);
}
