/** Synthetic slides for tracking tests: blobs on a background, rendered at sub-pixel poses. */
import type { Frame } from '../../src/core/frame.js';
import { renderFrame } from '../../src/sim/render.js';
import { createRng } from '../../src/sim/rng.js';
import type { Mosaic } from '../../src/sim/types.js';

/** A textured canvas of `n` random discs (like cells on plasma). */
export function blobCanvas(width: number, height: number, seed: number, n = 300): Mosaic {
  const rng = createRng(seed);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    rgb[i * 3] = 230;
    rgb[i * 3 + 1] = 215;
    rgb[i * 3 + 2] = 200;
  }
  for (let k = 0; k < n; k++) {
    const cx = rng.uniform(0, width);
    const cy = rng.uniform(0, height);
    const r = rng.uniform(6, 30);
    const col = [rng.int(60, 220), rng.int(40, 180), rng.int(60, 200)];
    for (let y = Math.max(0, Math.floor(cy - r)); y < Math.min(height, cy + r); y++) {
      for (let x = Math.max(0, Math.floor(cx - r)); x < Math.min(width, cx + r); x++) {
        const d = Math.hypot(x - cx, y - cy) / r;
        if (d > 1) continue;
        const a = 1 - d * d * 0.5;
        for (let c = 0; c < 3; c++) rgb[(y * width + x) * 3 + c] = Math.round(rgb[(y * width + x) * 3 + c] * (1 - a) + col[c] * a);
      }
    }
  }
  return { width, height, rgb, fields: [], cells: [] };
}

/** The view of `canvas` at pose (x, y), optionally blurred. */
export function view(canvas: Mosaic, seq: number, x: number, y: number, w: number, h: number, blurSigma = 0): Frame {
  return renderFrame(canvas, { index: seq, timeS: seq / 10, x, y, blurSigma, gain: 1, phase: 'raster' }, { width: w, height: h, noise: 0, startMs: 0, fps: 10 }, null);
}
