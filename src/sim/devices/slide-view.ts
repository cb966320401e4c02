import { area, intersect } from '../../track/box.js';
import type { Box } from '../../track/types.js';
import type { DeviceCell, DeviceSourceField } from './types.js';

/**
 * A camera view of a slide made of source fields laid edge to edge (cols x rows, row-major,
 * all the same size), at a magnification relative to the fields' own.
 *
 * Coordinates: box edges in pixel-edge units. Slide point (sx, sy) appears at frame point
 * ((sx - originX) * m, (sy - originY) * m); a frame pixel u covers slide [originX + u / m, originX + (u + 1) / m).
 */
export interface SlideView {
  readonly fields: readonly DeviceSourceField[];
  readonly cols: number;
  readonly rows: number;
  /** Slide pixel of the frame's top-left corner. */
  readonly originX: number;
  readonly originY: number;
  readonly magnification: number;
  readonly width: number;
  readonly height: number;
}

export interface SlideViewOptions {
  /** A source box within this many pixels of its image edge is a cut cell (ignored). */
  readonly edgePx: number;
  /** A cell with less than this fraction of its box in the frame is left out. */
  readonly minVisibleFraction: number;
}

export const SLIDE_VIEW_DEFAULTS: SlideViewOptions = { edgePx: 3, minVisibleFraction: 0.25 };

export interface RenderedView {
  /** RGB floats 0-255, [height * width * 3]. */
  readonly rgb: Float32Array;
  readonly cells: DeviceCell[];
  /** sqrt(w·h) × m of the red cells whose centre is in view (not cut by their image edge). */
  readonly rbcDiametersPx: number[];
}

/** Fields needed per axis so that a frame of `frame` px at magnification m fits: ceil(frame / (m · field)). */
export function fieldsPerAxis(framePx: number, fieldPx: number, magnification: number): number {
  return Math.max(1, Math.ceil(framePx / (magnification * fieldPx) - 1e-9));
}

/** One axis's taps: for output index u, `n` (field index along the axis, local pixel, weight) triples. */
interface AxisTaps {
  readonly n: number;
  readonly cell: Int32Array;
  readonly local: Int32Array;
  readonly weight: Float32Array;
}

/**
 * Taps of one axis. Shrinking (m < 1): k = ceil(1 / m) point samples spread over each output
 * pixel's footprint, equal weights (an area average). Enlarging or equal: bilinear.
 */
function axisTaps(out: number, origin: number, m: number, fieldPx: number, count: number): AxisTaps {
  const total = fieldPx * count;
  const n = m < 1 ? Math.ceil(1 / m - 1e-9) : 2;
  const cell = new Int32Array(out * n);
  const local = new Int32Array(out * n);
  const weight = new Float32Array(out * n);
  const put = (i: number, s: number, w: number) => {
    const p = Math.min(total - 1, Math.max(0, s));
    cell[i] = Math.floor(p / fieldPx);
    local[i] = p - cell[i] * fieldPx;
    weight[i] = w;
  };
  for (let u = 0; u < out; u++) {
    if (m < 1) {
      for (let j = 0; j < n; j++) put(u * n + j, Math.floor(origin + (u + (j + 0.5) / n) / m), 1 / n);
    } else {
      const s = origin + (u + 0.5) / m - 0.5;
      const s0 = Math.floor(s);
      const f = s - s0;
      put(u * n, s0, 1 - f);
      put(u * n + 1, s0 + 1, f);
    }
  }
  return { n, cell, local, weight };
}

/** Renders the view's pixels and maps the fields' annotations into the frame. Pure. */
export function renderSlideView(view: SlideView, options: SlideViewOptions = SLIDE_VIEW_DEFAULTS): RenderedView {
  const { fields, cols, rows, originX, originY, magnification: m, width, height } = view;
  if (fields.length !== cols * rows) throw new Error(`renderSlideView: need ${cols * rows} fields for ${cols}x${rows}, got ${fields.length}`);
  const W = fields[0].width;
  const H = fields[0].height;
  for (const f of fields) {
    if (f.width !== W || f.height !== H) throw new Error(`renderSlideView: field ${f.name} is ${f.width}x${f.height}, expected ${W}x${H}`);
  }
  const tx = axisTaps(width, originX, m, W, cols);
  const ty = axisTaps(height, originY, m, H, rows);
  const rgb = new Float32Array(width * height * 3);
  for (let v = 0; v < height; v++) {
    for (let j = 0; j < ty.n; j++) {
      const wy = ty.weight[v * ty.n + j];
      if (wy === 0) continue;
      const rowFields = ty.cell[v * ty.n + j] * cols;
      const ly = ty.local[v * ty.n + j] * W;
      for (let u = 0; u < width; u++) {
        const o = (v * width + u) * 3;
        for (let i = 0; i < tx.n; i++) {
          const t = u * tx.n + i;
          const w = wy * tx.weight[t];
          const src = fields[rowFields + tx.cell[t]].rgb;
          const s = (ly + tx.local[t]) * 3;
          rgb[o] += w * src[s];
          rgb[o + 1] += w * src[s + 1];
          rgb[o + 2] += w * src[s + 2];
        }
      }
    }
  }
  const frameBox: Box = { x1: 0, y1: 0, x2: width, y2: height };
  const toFrame = (b: Box, fx: number, fy: number): Box => ({
    x1: (b.x1 + fx - originX) * m,
    y1: (b.y1 + fy - originY) * m,
    x2: (b.x2 + fx - originX) * m,
    y2: (b.y2 + fy - originY) * m,
  });
  const cells: DeviceCell[] = [];
  const rbcDiametersPx: number[] = [];
  const e = options.edgePx;
  const cutByImage = (b: Box) => b.x1 <= e || b.y1 <= e || b.x2 >= W - e || b.y2 >= H - e;
  fields.forEach((f, k) => {
    const fx = (k % cols) * W;
    const fy = Math.floor(k / cols) * H;
    for (const c of f.cells) {
      const full = toFrame(c.box, fx, fy);
      const vis = intersect(full, frameBox);
      if (!vis || area(vis) < options.minVisibleFraction * area(full)) continue;
      const clipped = area(vis) < area(full) - 1e-6;
      cells.push({ box: vis, type: c.type, field: f.name, ignore: clipped || cutByImage(c.box) });
    }
    for (const b of f.rbcBoxes) {
      if (cutByImage(b)) continue;
      const r = toFrame(b, fx, fy);
      const cx = (r.x1 + r.x2) / 2;
      const cy = (r.y1 + r.y2) / 2;
      if (cx >= 0 && cy >= 0 && cx < width && cy < height) rbcDiametersPx.push(Math.sqrt((r.x2 - r.x1) * (r.y2 - r.y1)));
    }
  });
  return { rgb, cells, rbcDiametersPx };
}
