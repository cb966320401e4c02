/**
 * Optical density relative to the plasma: OD_c = log10((bg_c + 1) / (v_c + 1)), clamped at 0.
 * Cells absorb light, so their OD is positive whatever the camera's colour cast (the cast is
 * divided out by the background), and plasma is near 0.
 */
import type { Vec3 } from '../colour/stats.js';

/** Per channel, per byte: OD against the given background (0-255 sRGB). */
export function odLuts(background: Vec3): [Float32Array, Float32Array, Float32Array] {
  return [0, 1, 2].map((c) => {
    const t = new Float32Array(256);
    const ref = Math.log10(background[c] + 1);
    for (let v = 0; v < 256; v++) t[v] = Math.max(0, ref - Math.log10(v + 1));
    return t;
  }) as [Float32Array, Float32Array, Float32Array];
}

/** Total OD (R + G + B) per pixel of packed RGB24: width*height values. */
export function totalOpticalDensity(rgb: Uint8Array, background: Vec3): Float32Array {
  const [lr, lg, lb] = odLuts(background);
  const n = rgb.length / 3;
  const out = new Float32Array(n);
  for (let p = 0, i = 0; p < n; p++, i += 3) out[p] = lr[rgb[i]] + lg[rgb[i + 1]] + lb[rgb[i + 2]];
  return out;
}
