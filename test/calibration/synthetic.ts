/** Synthetic smear fields for the calibration tests: red-cell-like discs on plasma, test patterns. */

export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface DiscFieldOptions {
  readonly width: number;
  readonly height: number;
  /** Disc diameter in px. */
  readonly diameter: number;
  /** Share of the frame the discs would cover without overlap. */
  readonly density?: number;
  /** Gaussian-ish sensor noise (std, 0-255 levels). */
  readonly noise?: number;
  readonly seed?: number;
  /** Cell colour, pallor colour and plasma colour (sRGB 0-255). */
  readonly cell?: readonly [number, number, number];
  readonly pallor?: readonly [number, number, number];
  readonly plasma?: readonly [number, number, number];
  /** Per-channel multiplicative colour cast of the camera. */
  readonly cast?: readonly [number, number, number];
}

export interface DiscField {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  /** Centres of the discs, px. */
  readonly centres: readonly { readonly x: number; readonly y: number }[];
  /** Per pixel: 1 where a disc covers it. */
  readonly cellMask: Uint8Array;
}

/**
 * Discs with a pale centre (pallor, a third of the diameter) and a soft 1.5 px edge, placed at
 * random with at most a little overlap, on plasma; then noise and a colour cast.
 */
export function discField(o: DiscFieldOptions): DiscField {
  const rand = rng(o.seed ?? 1);
  const { width, height, diameter } = o;
  const r = diameter / 2;
  const cell = o.cell ?? [196, 128, 136];
  const pallor = o.pallor ?? [212, 170, 172];
  const plasma = o.plasma ?? [222, 220, 214];
  const cast = o.cast ?? [1, 1, 1];
  const noise = o.noise ?? 3;
  const want = Math.max(1, Math.round(((o.density ?? 0.35) * width * height) / (Math.PI * r * r)));
  const centres: { x: number; y: number }[] = [];
  for (let tries = 0; centres.length < want && tries < want * 200; tries++) {
    const x = rand() * width;
    const y = rand() * height;
    if (centres.every((c) => Math.hypot(c.x - x, c.y - y) > diameter * 0.9)) centres.push({ x, y });
  }
  const cover = new Float32Array(width * height); // 0..1 cell coverage
  const pal = new Float32Array(width * height); // 0..1 pallor
  for (const c of centres) {
    const x0 = Math.max(0, Math.floor(c.x - r - 2));
    const x1 = Math.min(width - 1, Math.ceil(c.x + r + 2));
    const y0 = Math.max(0, Math.floor(c.y - r - 2));
    const y1 = Math.min(height - 1, Math.ceil(c.y + r + 2));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = Math.hypot(x + 0.5 - c.x, y + 0.5 - c.y);
        const i = y * width + x;
        cover[i] = Math.max(cover[i], clamp01((r - d) / 1.5 + 0.5));
        pal[i] = Math.max(pal[i], clamp01((r / 3 - d) / (r / 6) + 0.5));
      }
    }
  }
  const rgb = new Uint8Array(width * height * 3);
  const cellMask = new Uint8Array(width * height);
  for (let i = 0; i < width * height; i++) {
    cellMask[i] = cover[i] >= 0.5 ? 1 : 0;
    for (let ch = 0; ch < 3; ch++) {
      const inCell = cell[ch] + (pallor[ch] - cell[ch]) * pal[i];
      const v = plasma[ch] + (inCell - plasma[ch]) * cover[i];
      const n = noise * (rand() + rand() + rand() - 1.5) * 2;
      rgb[i * 3 + ch] = clampByte((v + n) * cast[ch]);
    }
  }
  return { width, height, rgb, centres, cellMask };
}

/** A frame like ffmpeg's testsrc2: colour bars over two thirds, a grey ramp below, a few boxes. */
export function testPattern(width: number, height: number): Uint8Array {
  const bars: [number, number, number][] = [
    [255, 255, 255], [255, 255, 0], [0, 255, 255], [0, 255, 0], [255, 0, 255], [255, 0, 0], [0, 0, 255], [0, 0, 0],
  ];
  const rgb = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      let c: readonly number[];
      if (y < (height * 2) / 3) c = bars[Math.min(7, Math.floor((x / width) * 8))];
      else {
        const g = Math.round((x / (width - 1)) * 255);
        c = [g, g, g];
      }
      const box = (x % 160 > 60 && x % 160 < 100 && y % 120 > 40 && y % 120 < 80) ? [40, 40, 200] : null;
      const v = box ?? c;
      rgb[i] = v[0];
      rgb[i + 1] = v[1];
      rgb[i + 2] = v[2];
    }
  }
  return rgb;
}

export function uniformNoise(width: number, height: number, seed = 7): Uint8Array {
  const rand = rng(seed);
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < rgb.length; i++) rgb[i] = Math.floor(rand() * 256);
  return rgb;
}

export function solid(width: number, height: number, c: readonly [number, number, number]): Uint8Array {
  const rgb = new Uint8Array(width * height * 3);
  for (let i = 0; i < width * height; i++) rgb.set(c, i * 3);
  return rgb;
}

/** Paints black outside a circle (an eyepiece) or outside a rectangle, in place. */
export function blackOutside(rgb: Uint8Array, width: number, height: number, inside: (x: number, y: number) => boolean): Uint8Array {
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (inside(x + 0.5, y + 0.5)) continue;
      const i = (y * width + x) * 3;
      rgb[i] = 6;
      rgb[i + 1] = 5;
      rgb[i + 2] = 7;
    }
  }
  return rgb;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const clampByte = (v: number): number => (v < 0 ? 0 : v > 255 ? 255 : Math.round(v));
