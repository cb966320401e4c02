/**
 * Pillow's `Image.resize(size, Image.BILINEAR)` for RGB24, reimplemented so
 * that leukoscan feeds the network the same pixels training did
 * (training/data/transforms.py resizes with PIL). Pure.
 *
 * Follows Pillow's libImaging/Resample.c: a triangle filter whose support
 * grows with the downscale factor (so downscaling is antialiased), taps
 * renormalised at the borders, 22-bit fixed-point coefficients, and a
 * horizontal pass rounded to uint8 before the vertical pass.
 */
/** The part of a `Frame` that pre-processing reads. */
export interface RgbImage {
  readonly width: number;
  readonly height: number;
  /** Packed RGB24, row-major, width * height * 3 bytes. */
  readonly rgb: Uint8Array;
}

const PRECISION_BITS = 32 - 8 - 2;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);

/** Per output index: first input tap, number of taps, fixed-point weights (ksize each). */
interface Coeffs {
  readonly ksize: number;
  readonly first: Int32Array;
  readonly count: Int32Array;
  readonly weights: Int32Array;
}

function triangle(x: number): number {
  const a = x < 0 ? -x : x;
  return a < 1 ? 1 - a : 0;
}

export function pilBilinearCoeffs(inSize: number, outSize: number): Coeffs {
  const scale = inSize / outSize;
  const filterscale = scale < 1 ? 1 : scale;
  const support = 1 * filterscale; // bilinear filter support = 1
  const ksize = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outSize);
  const count = new Int32Array(outSize);
  const weights = new Int32Array(outSize * ksize);
  const k = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const ss = 1 / filterscale;
    let xmin = Math.trunc(center - support + 0.5);
    if (xmin < 0) xmin = 0;
    let xmax = Math.trunc(center + support + 0.5);
    if (xmax > inSize) xmax = inSize;
    xmax -= xmin;
    let ww = 0;
    for (let x = 0; x < xmax; x++) {
      const w = triangle((x + xmin - center + 0.5) * ss);
      k[x] = w;
      ww += w;
    }
    for (let x = 0; x < xmax; x++) {
      const w = ww !== 0 ? k[x] / ww : k[x];
      weights[xx * ksize + x] = Math.trunc(w < 0 ? -0.5 + w * ONE : 0.5 + w * ONE);
    }
    first[xx] = xmin;
    count[xx] = xmax;
  }
  return { ksize, first, count, weights };
}

/**
 * The accumulator (22-bit fixed point) back to uint8. Bilinear taps are non-negative and sum to
 * about ONE, so the sum stays below 2^31 and an int32 shift is exact (Math.floor(v / ONE)).
 */
function clip8(v: number): number {
  if (v >= ONE * 256) return 255;
  if (v <= 0) return 0;
  return v >> PRECISION_BITS;
}

/** The vertical pass's row of accumulators, reused between calls (grown as needed). */
let rowAcc = new Int32Array(0);

/** Resize an RGB24 image to (width, height) exactly as Pillow's BILINEAR does. */
export function resizeRgbPilBilinear(img: RgbImage, width: number, height: number): RgbImage {
  if (img.width === width && img.height === height) return img;
  const needH = img.width !== width;
  const needV = img.height !== height;
  const cv = pilBilinearCoeffs(img.height, height);
  // Rows of the source the vertical pass reads.
  const yFirst = needV ? cv.first[0] : 0;
  const yLast = needV ? cv.first[height - 1] + cv.count[height - 1] : img.height;

  let mid: RgbImage = img;
  let rowOffset = 0;
  if (needH) {
    const ch = pilBilinearCoeffs(img.width, width);
    const rows = yLast - yFirst;
    const out = new Uint8Array(width * rows * 3);
    const src = img.rgb;
    for (let y = 0; y < rows; y++) {
      const srow = (y + yFirst) * img.width * 3;
      const drow = y * width * 3;
      for (let xx = 0; xx < width; xx++) {
        const x0 = ch.first[xx];
        const n = ch.count[xx];
        const kb = xx * ch.ksize;
        let s0 = HALF;
        let s1 = HALF;
        let s2 = HALF;
        for (let x = 0, p = srow + x0 * 3; x < n; x++, p += 3) {
          const w = ch.weights[kb + x];
          s0 = (s0 + src[p] * w) | 0;
          s1 = (s1 + src[p + 1] * w) | 0;
          s2 = (s2 + src[p + 2] * w) | 0;
        }
        const d = drow + xx * 3;
        out[d] = clip8(s0);
        out[d + 1] = clip8(s1);
        out[d + 2] = clip8(s2);
      }
    }
    mid = { width, height: rows, rgb: out };
    rowOffset = yFirst;
  }
  if (!needV) return mid;

  const out = new Uint8Array(width * height * 3);
  const src = mid.rgb;
  const stride = width * 3;
  for (let yy = 0; yy < height; yy++) {
    const y0 = cv.first[yy] - rowOffset;
    const n = cv.count[yy];
    const kb = yy * cv.ksize;
    const drow = yy * stride;
    // tap by tap over the whole row (sequential reads), accumulating in int32
    const acc = rowAcc.length >= stride ? rowAcc : (rowAcc = new Int32Array(stride));
    acc.fill(HALF, 0, stride);
    for (let y = 0; y < n; y++) {
      const w = cv.weights[kb + y];
      const base = (y0 + y) * stride;
      for (let i = 0; i < stride; i++) acc[i] = (acc[i] + src[base + i] * w) | 0;
    }
    for (let i = 0; i < stride; i++) out[drow + i] = clip8(acc[i]);
  }
  return { width, height, rgb: out };
}
