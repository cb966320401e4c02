import { type ColourCalibration, transformSrgb } from './calibration.js';

/**
 * A 3D colour lookup table over sRGB input: `grid` points per axis, node (r, g, b) at
 * index ((r * grid + g) * grid + b) * 3, values sRGB 0-255 as floats.
 */
export interface ColourLut {
  readonly grid: number;
  readonly table: Float32Array;
  /** Per input byte: lower grid index and fraction, so apply() does no division. */
  readonly index: Uint16Array;
  readonly frac: Float32Array;
}

/** Samples the calibration's transform on a grid^3 lattice (33 -> 35,937 nodes, a few ms). */
export function buildColourLut(cal: ColourCalibration, grid = 33): ColourLut {
  return buildColourLutFrom((r, g, b, out) => transformSrgb(cal, r, g, b, out), grid);
}

/** A per-colour transform: sRGB floats in (0-255), sRGB floats out, written to out[0..2]. */
export type SrgbTransform = (r: number, g: number, b: number, out: Float64Array) => void;

/** Samples any per-colour transform on a grid^3 lattice. */
export function buildColourLutFrom(transform: SrgbTransform, grid = 33): ColourLut {
  if (!Number.isInteger(grid) || grid < 2 || grid > 256) throw new Error(`LUT grid must be an integer in [2, 256], got ${grid}`);
  const table = new Float32Array(grid * grid * grid * 3);
  const out = new Float64Array(3);
  const step = 255 / (grid - 1);
  let k = 0;
  for (let r = 0; r < grid; r++) {
    for (let g = 0; g < grid; g++) {
      for (let b = 0; b < grid; b++) {
        transform(r * step, g * step, b * step, out);
        table[k++] = out[0];
        table[k++] = out[1];
        table[k++] = out[2];
      }
    }
  }
  const index = new Uint16Array(256);
  const frac = new Float32Array(256);
  for (let v = 0; v < 256; v++) {
    const pos = v / step;
    const i = Math.min(grid - 2, Math.floor(pos));
    index[v] = i;
    frac[v] = pos - i;
  }
  return { grid, table, index, frac };
}

/**
 * Applies the LUT with tetrahedral interpolation (4 nodes per pixel).
 * `src` and `dst` are packed RGB24 of equal length; they may be the same array.
 */
export function applyColourLut(lut: ColourLut, src: Uint8Array, dst: Uint8Array): void {
  if (dst.length !== src.length) throw new Error(`applyColourLut: dst has ${dst.length} bytes, src ${src.length}`);
  const { grid, table, index, frac } = lut;
  const sr = grid * grid * 3;
  const sg = grid * 3;
  const sb = 3;
  const n = src.length;
  for (let p = 0; p < n; p += 3) {
    const r = src[p];
    const g = src[p + 1];
    const b = src[p + 2];
    const fr = frac[r];
    const fg = frac[g];
    const fb = frac[b];
    const base = index[r] * sr + index[g] * sg + index[b] * sb;
    // Tetrahedron: c = w0*c000 + w1*cA + w2*cB + w3*c111.
    let oA: number;
    let oB: number;
    let w0: number;
    let w1: number;
    let w2: number;
    let w3: number;
    if (fr >= fg) {
      if (fg >= fb) {
        oA = sr; oB = sr + sg; w0 = 1 - fr; w1 = fr - fg; w2 = fg - fb; w3 = fb;
      } else if (fr >= fb) {
        oA = sr; oB = sr + sb; w0 = 1 - fr; w1 = fr - fb; w2 = fb - fg; w3 = fg;
      } else {
        oA = sb; oB = sr + sb; w0 = 1 - fb; w1 = fb - fr; w2 = fr - fg; w3 = fg;
      }
    } else if (fb > fg) {
      oA = sb; oB = sg + sb; w0 = 1 - fb; w1 = fb - fg; w2 = fg - fr; w3 = fr;
    } else if (fb > fr) {
      oA = sg; oB = sg + sb; w0 = 1 - fg; w1 = fg - fb; w2 = fb - fr; w3 = fr;
    } else {
      oA = sg; oB = sr + sg; w0 = 1 - fg; w1 = fg - fr; w2 = fr - fb; w3 = fb;
    }
    const a = base + oA;
    const c = base + oB;
    const d = base + sr + sg + sb;
    // Uint8Array assignment truncates; +0.5 rounds (values are within [0, 255]).
    dst[p] = w0 * table[base] + w1 * table[a] + w2 * table[c] + w3 * table[d] + 0.5;
    dst[p + 1] = w0 * table[base + 1] + w1 * table[a + 1] + w2 * table[c + 1] + w3 * table[d + 1] + 0.5;
    dst[p + 2] = w0 * table[base + 2] + w1 * table[a + 2] + w2 * table[c + 2] + w3 * table[d + 2] + 0.5;
  }
}

/** Grid of the fast table: nodes at 0, 4, 8, …, 252, 255 (65 per axis). */
const FAST_GRID = 65;

let fastNodes: Uint8Array | undefined;

/** sRGB colours of the fast table's nodes, in table order (built once, 824 KB). */
function fastTableNodes(): Uint8Array {
  if (fastNodes) return fastNodes;
  const nodes = new Uint8Array(FAST_GRID * FAST_GRID * FAST_GRID * 3);
  let k = 0;
  for (let r = 0; r < FAST_GRID; r++) {
    for (let g = 0; g < FAST_GRID; g++) {
      for (let b = 0; b < FAST_GRID; b++) {
        nodes[k++] = Math.min(255, r * 4);
        nodes[k++] = Math.min(255, g * 4);
        nodes[k++] = Math.min(255, b * 4);
      }
    }
  }
  fastNodes = nodes;
  return nodes;
}

/**
 * A dense 65^3 table sampled from `lut` (tetrahedral), for nearest-node lookup: one
 * table read per pixel instead of four. Inputs snap to the nearest multiple of 4, so
 * outputs differ from the interpolated LUT by about a level or two (see the tests).
 */
export interface FastColourLut {
  readonly table: Uint8Array;
}

export function buildFastColourLut(lut: ColourLut): FastColourLut {
  const nodes = fastTableNodes();
  const table = new Uint8Array(nodes.length);
  applyColourLut(lut, nodes, table);
  return { table };
}

/** Nearest-node lookup in the 65^3 table. `src` and `dst` may be the same array. */
export function applyFastColourLut(lut: FastColourLut, src: Uint8Array, dst: Uint8Array): void {
  if (dst.length !== src.length) throw new Error(`applyFastColourLut: dst has ${dst.length} bytes, src ${src.length}`);
  const t = lut.table;
  const n = src.length;
  for (let p = 0; p < n; p += 3) {
    const i = (((src[p] + 2) >> 2) * (FAST_GRID * FAST_GRID) + ((src[p + 1] + 2) >> 2) * FAST_GRID + ((src[p + 2] + 2) >> 2)) * 3;
    dst[p] = t[i];
    dst[p + 1] = t[i + 1];
    dst[p + 2] = t[i + 2];
  }
}
