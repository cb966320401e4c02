/**
 * Exact squared Euclidean distance transform (Felzenszwalb & Huttenlocher, 2012): for each
 * foreground pixel, the squared distance to the nearest background pixel; 0 on the background.
 * Pixels outside the image count as background, so objects cut by the frame edge are not
 * mistaken for larger ones.
 */

const INF = 1e20;

/** 1-D lower envelope of parabolas: f (length n) -> d, using scratch v (int) and z (n+1). */
function edt1d(f: Float64Array, n: number, d: Float64Array, v: Int32Array, z: Float64Array): void {
  let k = 0;
  v[0] = 0;
  z[0] = -INF;
  z[1] = INF;
  for (let q = 1; q < n; q++) {
    let s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    while (s <= z[k]) {
      k--;
      s = (f[q] + q * q - (f[v[k]] + v[k] * v[k])) / (2 * q - 2 * v[k]);
    }
    k++;
    v[k] = q;
    z[k] = s;
    z[k + 1] = INF;
  }
  k = 0;
  for (let q = 0; q < n; q++) {
    while (z[k + 1] < q) k++;
    const dq = q - v[k];
    d[q] = dq * dq + f[v[k]];
  }
}

/**
 * mask: width*height, nonzero = foreground. Returns squared distances (Float32Array).
 * The image is padded by one background pixel on every side.
 */
export function squaredDistanceTransform(mask: Uint8Array, width: number, height: number): Float32Array {
  const W = width + 2;
  const H = height + 2;
  const grid = new Float64Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const inside = x > 0 && y > 0 && x <= width && y <= height && mask[(y - 1) * width + (x - 1)] !== 0;
      grid[y * W + x] = inside ? INF : 0;
    }
  }
  const n = Math.max(W, H);
  const f = new Float64Array(n);
  const d = new Float64Array(n);
  const v = new Int32Array(n);
  const z = new Float64Array(n + 1);
  for (let x = 0; x < W; x++) {
    for (let y = 0; y < H; y++) f[y] = grid[y * W + x];
    edt1d(f, H, d, v, z);
    for (let y = 0; y < H; y++) grid[y * W + x] = d[y];
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < H; y++) {
    const row = y * W;
    for (let x = 0; x < W; x++) f[x] = grid[row + x];
    edt1d(f, W, d, v, z);
    if (y === 0 || y === H - 1) continue;
    for (let x = 1; x <= width; x++) out[(y - 1) * width + (x - 1)] = d[x];
  }
  return out;
}
