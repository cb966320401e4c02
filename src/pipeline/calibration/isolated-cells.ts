/**
 * Red-cell sizes from the objects of the cell mask that look like one whole cell: not cut by
 * the frame or field edge, round (moment axis ratio), and solid enough once their convex hull
 * closes an open pallor. Each gives sqrt(w*h) of its bounding box, as an annotator would draw it.
 * Clumps of overlapping cells are elongated or concave and are left out. Pure.
 */

export interface CellObject {
  /** sqrt(w*h) of the bounding box (working px). */
  readonly boxSize: number;
  /** Diameter of the disc with the convex hull's area (working px). */
  readonly hullDiameter: number;
  /** Major / minor axis from second moments. */
  readonly axisRatio: number;
  /** Pixel area / convex hull area. */
  readonly solidity: number;
}

export interface IsolatedCellOptions {
  readonly maxAxisRatio: number;
  readonly minSolidity: number;
  /** Objects with fewer pixels are skipped (specks). */
  readonly minArea: number;
  readonly field?: Uint8Array;
}

/** All 8-connected objects of the mask that pass the shape tests. */
export function isolatedCells(mask: Uint8Array, width: number, height: number, opts: IsolatedCellOptions): CellObject[] {
  const seen = new Uint8Array(mask.length);
  const out: CellObject[] = [];
  const stack: number[] = [];
  const xs: number[] = [];
  const ys: number[] = [];
  for (let s = 0; s < mask.length; s++) {
    if (mask[s] === 0 || seen[s]) continue;
    seen[s] = 1;
    stack.push(s);
    xs.length = 0;
    ys.length = 0;
    let cut = false;
    while (stack.length > 0) {
      const i = stack.pop() as number;
      const x = i % width;
      const y = (i - x) / width;
      xs.push(x);
      ys.push(y);
      if (x === 0 || y === 0 || x === width - 1 || y === height - 1) cut = true;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const j = yy * width + xx;
          if (opts.field && opts.field[j] === 0) cut = true;
          if (mask[j] === 0 || seen[j]) continue;
          seen[j] = 1;
          stack.push(j);
        }
      }
    }
    if (cut || xs.length < opts.minArea) continue;
    const obj = describe(xs, ys);
    if (obj.axisRatio <= opts.maxAxisRatio && obj.solidity >= opts.minSolidity) out.push(obj);
  }
  return out;
}

function describe(xs: readonly number[], ys: readonly number[]): CellObject {
  const n = xs.length;
  let mx = 0, my = 0, x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
  for (let k = 0; k < n; k++) {
    mx += xs[k];
    my += ys[k];
    if (xs[k] < x0) x0 = xs[k];
    if (xs[k] > x1) x1 = xs[k];
    if (ys[k] < y0) y0 = ys[k];
    if (ys[k] > y1) y1 = ys[k];
  }
  mx /= n;
  my /= n;
  let sxx = 0, syy = 0, sxy = 0;
  for (let k = 0; k < n; k++) {
    const dx = xs[k] - mx;
    const dy = ys[k] - my;
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const tr = (sxx + syy) / n;
  const det = (sxx * syy - sxy * sxy) / (n * n);
  const disc = Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
  const l1 = tr / 2 + disc;
  const l2 = Math.max(1e-9, tr / 2 - disc);
  const hullArea = convexHullArea(xs, ys);
  return {
    boxSize: Math.sqrt((x1 - x0 + 1) * (y1 - y0 + 1)),
    hullDiameter: Math.sqrt((4 * hullArea) / Math.PI),
    axisRatio: Math.sqrt(l1 / l2),
    solidity: hullArea > 0 ? Math.min(1, n / hullArea) : 1,
  };
}

/** Area of the convex hull of pixel squares (monotone chain over the pixels' corners of each row's ends). */
function convexHullArea(xs: readonly number[], ys: readonly number[]): number {
  // Row extremes are enough: the hull of the pixels is the hull of each row's leftmost and rightmost pixel squares.
  const left = new Map<number, number>();
  const right = new Map<number, number>();
  for (let k = 0; k < xs.length; k++) {
    const y = ys[k];
    const l = left.get(y);
    if (l === undefined || xs[k] < l) left.set(y, xs[k]);
    const r = right.get(y);
    if (r === undefined || xs[k] > r) right.set(y, xs[k]);
  }
  const pts: [number, number][] = [];
  for (const [y, l] of left) {
    const r = right.get(y) as number;
    pts.push([l, y], [l, y + 1], [r + 1, y], [r + 1, y + 1]);
  }
  pts.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: [number, number], a: [number, number], b: [number, number]) => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const lower: [number, number][] = [];
  for (const p of pts) {
    while (lower.length >= 2 && cross(lower[lower.length - 2], lower[lower.length - 1], p) <= 0) lower.pop();
    lower.push(p);
  }
  const upper: [number, number][] = [];
  for (let k = pts.length - 1; k >= 0; k--) {
    const p = pts[k];
    while (upper.length >= 2 && cross(upper[upper.length - 2], upper[upper.length - 1], p) <= 0) upper.pop();
    upper.push(p);
  }
  const hull = lower.slice(0, -1).concat(upper.slice(0, -1));
  let a = 0;
  for (let k = 0; k < hull.length; k++) {
    const p = hull[k];
    const q = hull[(k + 1) % hull.length];
    a += p[0] * q[1] - q[0] * p[1];
  }
  return Math.abs(a) / 2;
}
