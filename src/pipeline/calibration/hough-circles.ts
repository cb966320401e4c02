/**
 * Gradient-directed circle Hough transform on an optical-density plane: every edge pixel votes
 * for centres at distance r along its gradient (OD rises into a cell, so the gradient at a cell's
 * outer edge points at its centre; the pallor's inner edge points away and does not add up).
 * A circle's score is the share of its circumference that voted for it. Pure.
 */
import type { Plane } from './resample.js';

export interface Circle {
  /** Centre and radius in working px. */
  readonly x: number;
  readonly y: number;
  readonly r: number;
  /** Votes / (2 pi r): share of the circumference seen as an edge pointing at the centre. */
  readonly score: number;
}

export interface HoughOptions {
  /** Radii tried (working px), increasing. */
  readonly radii: readonly number[];
  /** Gradient magnitude (OD per px) below which a pixel does not vote. */
  readonly minGradient: number;
  /** Circles scoring less are dropped. */
  readonly minScore: number;
  /** A circle whose centre lies within this share of the larger radius of a better one is dropped. */
  readonly suppression: number;
  /** Half-width of the vote window, as a share of the radius (at least 1 px). */
  readonly window: number;
  /** Optional: only pixels where it is nonzero vote (width*height of the plane). */
  readonly select?: Uint8Array;
}

/** Radii from lo to hi (inclusive) in geometric steps of `ratio`. */
export function geometricRadii(lo: number, hi: number, ratio: number): number[] {
  const out: number[] = [];
  for (let r = lo; r <= hi * 1.0001; r *= ratio) out.push(r);
  return out;
}

export function houghCircles(plane: Plane, opts: HoughOptions): Circle[] {
  const { width: W, height: H } = plane;
  const n = W * H;
  const src = blur3(plane);
  const nr = opts.radii.length;
  const acc = new Float32Array(nr * n);
  for (let y = 1; y < H - 1; y++) {
    for (let x = 1; x < W - 1; x++) {
      const i = y * W + x;
      if (opts.select && opts.select[i] === 0) continue;
      // Sobel / 8: OD per pixel.
      const gx = (src[i - W + 1] + 2 * src[i + 1] + src[i + W + 1] - src[i - W - 1] - 2 * src[i - 1] - src[i + W - 1]) / 8;
      const gy = (src[i + W - 1] + 2 * src[i + W] + src[i + W + 1] - src[i - W - 1] - 2 * src[i - W] - src[i - W + 1]) / 8;
      const m = Math.hypot(gx, gy);
      if (m < opts.minGradient) continue;
      const ux = gx / m;
      const uy = gy / m;
      for (let k = 0; k < nr; k++) {
        const cx = x + ux * opts.radii[k];
        const cy = y + uy * opts.radii[k];
        const x0 = Math.floor(cx);
        const y0 = Math.floor(cy);
        if (x0 < 0 || y0 < 0 || x0 >= W - 1 || y0 >= H - 1) continue;
        const fx = cx - x0;
        const fy = cy - y0;
        const b = k * n + y0 * W + x0;
        acc[b] += (1 - fx) * (1 - fy);
        acc[b + 1] += fx * (1 - fy);
        acc[b + W] += (1 - fx) * fy;
        acc[b + W + 1] += fx * fy;
      }
    }
  }
  // Score: votes in a window that grows with r (gradient-direction errors spread a centre's
  // votes over about r * angle error), over the circumference.
  const score = new Float32Array(nr * n);
  const iw = W + 1;
  const integral = new Float64Array(iw * (H + 1));
  for (let k = 0; k < nr; k++) {
    const off = k * n;
    for (let y = 0; y < H; y++) {
      let row = 0;
      for (let x = 0; x < W; x++) {
        row += acc[off + y * W + x];
        integral[(y + 1) * iw + x + 1] = integral[y * iw + x + 1] + row;
      }
    }
    const w = Math.max(1, Math.round(opts.window * opts.radii[k]));
    const norm = 1 / (2 * Math.PI * opts.radii[k]);
    for (let y = 0; y < H; y++) {
      const y0 = Math.max(0, y - w);
      const y1 = Math.min(H, y + w + 1);
      for (let x = 0; x < W; x++) {
        const x0 = Math.max(0, x - w);
        const x1 = Math.min(W, x + w + 1);
        score[off + y * W + x] = (integral[y1 * iw + x1] - integral[y0 * iw + x1] - integral[y1 * iw + x0] + integral[y0 * iw + x0]) * norm;
      }
    }
  }
  const peaks: Circle[] = [];
  // Interior radii only: a score that falls (or rises) across the whole range peaks at its end.
  for (let k = 1; k < nr - 1; k++) {
    const off = k * n;
    for (let i = 0; i < n; i++) {
      const s = score[off + i];
      if (s < opts.minScore || !isPeak3d(score, n, W, H, nr, k, i)) continue;
      const x = i % W;
      const y = (i - x) / W;
      peaks.push({ x, y, r: refineRadius(score, n, nr, opts.radii, k, i), score: s });
    }
  }
  peaks.sort((a, b) => b.score - a.score);
  const kept: Circle[] = [];
  for (const p of peaks) {
    if (kept.some((q) => Math.hypot(p.x - q.x, p.y - q.y) < opts.suppression * Math.max(p.r, q.r))) continue;
    kept.push(p);
  }
  return kept;
}

function isPeak3d(score: Float32Array, n: number, W: number, H: number, nr: number, k: number, i: number): boolean {
  const v = score[k * n + i];
  const x = i % W;
  const y = (i - x) / W;
  for (let dk = -1; dk <= 1; dk++) {
    const kk = k + dk;
    if (kk < 0 || kk >= nr) continue;
    for (let dy = -1; dy <= 1; dy++) {
      const yy = y + dy;
      if (yy < 0 || yy >= H) continue;
      for (let dx = -1; dx <= 1; dx++) {
        const xx = x + dx;
        if (xx < 0 || xx >= W || (dk === 0 && dx === 0 && dy === 0)) continue;
        const u = score[kk * n + yy * W + xx];
        // Ties: the first (lowest index) wins, so a plateau yields one peak.
        if (u > v || (u === v && (dk < 0 || (dk === 0 && (dy < 0 || (dy === 0 && dx < 0)))))) return false;
      }
    }
  }
  return true;
}

/** Parabolic interpolation of the score over log radius around bin k. */
function refineRadius(score: Float32Array, n: number, nr: number, radii: readonly number[], k: number, i: number): number {
  if (k === 0 || k === nr - 1) return radii[k];
  const a = score[(k - 1) * n + i];
  const b = score[k * n + i];
  const c = score[(k + 1) * n + i];
  const den = a - 2 * b + c;
  if (den >= 0) return radii[k];
  const t = Math.max(-0.5, Math.min(0.5, (0.5 * (a - c)) / den));
  const la = Math.log(radii[k]);
  const step = t >= 0 ? Math.log(radii[k + 1]) - la : la - Math.log(radii[k - 1]);
  return Math.exp(la + t * step);
}

/** 3x3 binomial blur (edges copied). */
function blur3(p: Plane): Float32Array {
  const { width: W, height: H, data } = p;
  const h = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const l = x > 0 ? data[i - 1] : data[i];
      const r = x < W - 1 ? data[i + 1] : data[i];
      h[i] = (l + 2 * data[i] + r) / 4;
    }
  }
  const out = new Float32Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const u = y > 0 ? h[i - W] : h[i];
      const d = y < H - 1 ? h[i + W] : h[i];
      out[i] = (u + 2 * h[i] + d) / 4;
    }
  }
  return out;
}
