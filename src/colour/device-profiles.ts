import type { Frame } from '../core/frame.js';

/**
 * Simulated camera/microscope colour profiles, for benchmarking colour normalisation.
 * Each is a pure per-pixel transform in sRGB: gamma, then saturation about the pixel's
 * luma, then per-channel gains, then an optional blend toward a tint (a coloured
 * background, as other labs' illumination and white balance give).
 */
export interface DeviceProfile {
  readonly name: string;
  readonly description: string;
  /** Exponent on [0, 1] values (> 1 darkens mid-tones). */
  readonly gamma?: number;
  /** 1 keeps saturation, 0 is grey, > 1 boosts. */
  readonly saturation?: number;
  /** Per-channel multipliers. */
  readonly gains?: readonly [number, number, number];
  /** out = (1 - amount) * out + amount * rgb. */
  readonly tint?: { readonly rgb: readonly [number, number, number]; readonly amount: number };
}

export const DEVICE_PROFILES: readonly DeviceProfile[] = [
  { name: 'reference', description: 'the dataset as it is' },
  { name: 'tungsten', description: 'warm halogen lamp, no white balance: yellow-orange cast', gains: [1.0, 0.86, 0.62] },
  { name: 'led-blue', description: 'cool LED, camera auto-WB off: blue cast', gains: [0.78, 0.9, 1.08] },
  { name: 'dark-gamma', description: 'underexposed, gamma 1.6', gamma: 1.6 },
  { name: 'washed', description: 'overexposed, gamma 0.6, desaturated 0.7', gamma: 0.6, saturation: 0.7 },
  { name: 'desaturated', description: 'cheap sensor: saturation 0.45', saturation: 0.45 },
  { name: 'vivid-green', description: 'saturation 1.5 with a green cast', saturation: 1.5, gains: [0.88, 1.0, 0.84] },
  { name: 'yellow-bg', description: "another lab's camera: yellow background, lower contrast", tint: { rgb: [250, 235, 150], amount: 0.25 }, gamma: 0.9 },
  { name: 'blue-bg', description: "another lab's camera: blue-grey background, gamma 1.2", tint: { rgb: [170, 200, 245], amount: 0.2 }, gamma: 1.2 },
];

/** A 256-entry table per channel would not do: saturation mixes channels, so this is per pixel. */
export function applyDeviceProfile(frame: Frame, p: DeviceProfile): Frame {
  const gamma = p.gamma ?? 1;
  const sat = p.saturation ?? 1;
  const [gr, gg, gb] = p.gains ?? [1, 1, 1];
  const tintAmount = p.tint?.amount ?? 0;
  const [tr, tg, tb] = p.tint?.rgb ?? [0, 0, 0];
  const pow = new Float32Array(256);
  for (let v = 0; v < 256; v++) pow[v] = Math.pow(v / 255, gamma) * 255;
  const src = frame.rgb;
  const out = new Uint8Array(src.length);
  for (let i = 0; i < src.length; i += 3) {
    let r = pow[src[i]];
    let g = pow[src[i + 1]];
    let b = pow[src[i + 2]];
    if (sat !== 1) {
      const y = 0.2126 * r + 0.7152 * g + 0.0722 * b;
      r = y + (r - y) * sat;
      g = y + (g - y) * sat;
      b = y + (b - y) * sat;
    }
    r *= gr;
    g *= gg;
    b *= gb;
    if (tintAmount > 0) {
      r = r * (1 - tintAmount) + tr * tintAmount;
      g = g * (1 - tintAmount) + tg * tintAmount;
      b = b * (1 - tintAmount) + tb * tintAmount;
    }
    out[i] = r < 0 ? 0 : r > 255 ? 255 : r + 0.5;
    out[i + 1] = g < 0 ? 0 : g > 255 ? 255 : g + 0.5;
    out[i + 2] = b < 0 ? 0 : b > 255 ? 255 : b + 0.5;
  }
  return { ...frame, rgb: out };
}
