import type { Box } from '../track/types.js';
import type { AnnotatedField, Mosaic, SlideCell } from './types.js';

export interface MosaicOptions {
  cols: number;
  rows: number;
  /** Width of the blended seam between neighbouring fields, pixels. */
  seamPx: number;
  /** A source box within this many pixels of its image edge is a cut cell (ignored in scoring). */
  edgePx: number;
}

export const MOSAIC_DEFAULTS: Pick<MosaicOptions, 'seamPx' | 'edgePx'> = { seamPx: 48, edgePx: 3 };

/**
 * Tiles fields (all the same size) into a cols x rows mosaic whose neighbours
 * overlap by `seamPx`, cross-fading linearly across each seam. Cells keep their
 * types and get mosaic coordinates; cells cut by their image edge or centred
 * in a seam are marked `ignore` (they are neither required nor false counts).
 */
export function buildMosaic(fields: readonly AnnotatedField[], options: MosaicOptions): Mosaic {
  const { cols, rows, seamPx: O, edgePx } = options;
  if (fields.length !== cols * rows) throw new Error(`buildMosaic: need ${cols * rows} fields for ${cols}x${rows}, got ${fields.length}`);
  const W = fields[0].width;
  const H = fields[0].height;
  for (const f of fields) {
    if (f.width !== W || f.height !== H) throw new Error(`buildMosaic: field ${f.name} is ${f.width}x${f.height}, expected ${W}x${H}`);
  }
  if (O * 2 >= Math.min(W, H)) throw new Error(`buildMosaic: seam ${O}px too wide for ${W}x${H} fields`);
  const width = cols * (W - O) + O;
  const height = rows * (H - O) + O;
  const acc = new Float32Array(width * height * 3);
  const wsum = new Float32Array(width * height);
  const placed: Mosaic['fields'][number][] = [];
  const ramp = (i: number, n: number, before: boolean, after: boolean) => {
    let w = 1;
    if (before) w = Math.min(w, (i + 0.5) / O);
    if (after) w = Math.min(w, (n - i - 0.5) / O);
    return w;
  };
  fields.forEach((f, k) => {
    const c = k % cols;
    const r = Math.floor(k / cols);
    const ox = c * (W - O);
    const oy = r * (H - O);
    placed.push({ name: f.name, x: ox, y: oy });
    for (let y = 0; y < H; y++) {
      const wy = ramp(y, H, r > 0, r < rows - 1);
      for (let x = 0; x < W; x++) {
        const w = wy * ramp(x, W, c > 0, c < cols - 1);
        const m = (oy + y) * width + ox + x;
        const s = (y * W + x) * 3;
        acc[m * 3] += w * f.rgb[s];
        acc[m * 3 + 1] += w * f.rgb[s + 1];
        acc[m * 3 + 2] += w * f.rgb[s + 2];
        wsum[m] += w;
      }
    }
  });
  const rgb = new Uint8Array(width * height * 3);
  for (let m = 0; m < wsum.length; m++) {
    const inv = wsum[m] > 0 ? 1 / wsum[m] : 0;
    rgb[m * 3] = Math.round(acc[m * 3] * inv);
    rgb[m * 3 + 1] = Math.round(acc[m * 3 + 1] * inv);
    rgb[m * 3 + 2] = Math.round(acc[m * 3 + 2] * inv);
  }
  const inSeam = (x: number, y: number) => {
    let covering = 0;
    for (const p of placed) if (x >= p.x && x < p.x + W && y >= p.y && y < p.y + H) covering++;
    return covering > 1;
  };
  const cells: SlideCell[] = [];
  fields.forEach((f, k) => {
    const p = placed[k];
    for (const cell of f.cells) {
      const b = cell.box;
      const box: Box = { x1: b.x1 + p.x, y1: b.y1 + p.y, x2: b.x2 + p.x, y2: b.y2 + p.y };
      const cut = b.x1 <= edgePx || b.y1 <= edgePx || b.x2 >= W - edgePx || b.y2 >= H - edgePx;
      const seam = inSeam((box.x1 + box.x2) / 2, (box.y1 + box.y2) / 2);
      const reason = cell.type === null ? 'untyped' : cut ? 'cut by image edge' : seam ? 'centred in a seam' : null;
      cells.push({ id: cells.length + 1, box, type: cell.type, field: f.name, ignore: reason !== null, ignoreReason: reason });
    }
  });
  return { width, height, rgb, fields: placed, cells };
}
