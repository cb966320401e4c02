import type { StainShift } from './types.js';

/**
 * Stain vectors in optical density (unit RGB OD per unit concentration), Ruifrok & Johnston's
 * haematoxylin / eosin / residual (skimage's rgb_from_hed). Wright-Giemsa's azure/methylene blue
 * and eosin absorb much like haematoxylin and eosin: the first colours nuclei and basophilic
 * cytoplasm blue-purple, the second red cells and granules pink.
 */
const STAIN_RGB: readonly (readonly [number, number, number])[] = [
  [0.65, 0.7, 0.29],
  [0.07, 0.99, 0.11],
  [0.27, 0.57, 0.78],
];

/** Inverse of a 3x3 matrix (rows), for colour deconvolution. */
function invert3(m: readonly (readonly number[])[]): number[][] {
  const [a, b, c] = m[0];
  const [d, e, f] = m[1];
  const [g, h, i] = m[2];
  const A = e * i - f * h;
  const B = -(d * i - f * g);
  const C = d * h - e * g;
  const det = a * A + b * B + c * C;
  return [
    [A / det, -(b * i - c * h) / det, (b * f - c * e) / det],
    [B / det, (a * i - c * g) / det, -(a * f - c * d) / det],
    [C / det, -(a * h - b * g) / det, (a * e - b * d) / det],
  ];
}

const NORMALISED = STAIN_RGB.map((v) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
});
const UNMIX = invert3(NORMALISED);

/** Brightest share of pixels (by channel sum) whose mean is the frame's white: the unstained background. */
const WHITE_FRACTION = 0.1;

/** The background's colour: mean of the brightest WHITE_FRACTION of pixels (by R + G + B). */
export function estimateWhite(rgb: Float32Array): [number, number, number] {
  const n = rgb.length / 3;
  const hist = new Uint32Array(766);
  for (let p = 0; p < rgb.length; p += 3) hist[Math.max(0, Math.min(765, Math.round(rgb[p] + rgb[p + 1] + rgb[p + 2])))]++;
  let cut = 765;
  for (let seen = 0; cut > 0 && seen + hist[cut] < Math.max(1, n * WHITE_FRACTION); cut--) seen += hist[cut];
  const sum = [0, 0, 0];
  let k = 0;
  for (let p = 0; p < rgb.length; p += 3) {
    if (Math.round(rgb[p] + rgb[p + 1] + rgb[p + 2]) < cut) continue;
    sum[0] += rgb[p];
    sum[1] += rgb[p + 1];
    sum[2] += rgb[p + 2];
    k++;
  }
  return [sum[0] / k, sum[1] / k, sum[2] / k];
}

/**
 * Multiplies the stain concentrations in optical-density space, in place on RGB floats (0-255):
 * OD = -log10((I + 1) / (white + 1)) per channel, relative to the background's colour (default:
 * estimateWhite), concentrations = OD · unmix, scaled, then re-mixed. Unstained pixels (OD ≈ 0:
 * the plasma between cells) stay where they are; stained cells change.
 */
export function shiftStain(rgb: Float32Array, shift: StainShift, white: readonly [number, number, number] = estimateWhite(rgb)): void {
  const scale = [shift.blue, shift.pink, 1];
  const M = NORMALISED;
  // mixing matrix with the scale folded in: od' = od · UNMIX · diag(scale) · M
  const T = [0, 1, 2].map((r) => [0, 1, 2].map((c) => UNMIX[r][0] * scale[0] * M[0][c] + UNMIX[r][1] * scale[1] * M[1][c] + UNMIX[r][2] * scale[2] * M[2][c]));
  // per-channel OD tables, relative to the white (brighter than the white: negative OD, kept)
  const od = [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    for (let v = 0; v < 256; v++) t[v] = -Math.log10((v + 1) / (white[c] + 1));
    return t;
  });
  for (let p = 0; p < rgb.length; p += 3) {
    const o0 = od[0][clamp255(rgb[p])];
    const o1 = od[1][clamp255(rgb[p + 1])];
    const o2 = od[2][clamp255(rgb[p + 2])];
    for (let c = 0; c < 3; c++) {
      const o = o0 * T[0][c] + o1 * T[1][c] + o2 * T[2][c];
      rgb[p + c] = (white[c] + 1) * Math.pow(10, -o) - 1;
    }
  }
}

function clamp255(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
