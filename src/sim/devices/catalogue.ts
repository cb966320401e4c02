import type { DeviceSpec } from './types.js';

const VGA = { width: 640, height: 480 } as const;
const HD = { width: 1280, height: 960 } as const;
const PHONE = { width: 416, height: 416 } as const;
/** Illuminant of the issue's "other microscope": a cyan-blue background. */
const CYAN: readonly [number, number, number] = [178, 214, 240];
/** A warm (tungsten-like) illuminant for the second combined lab. */
const WARM: readonly [number, number, number] = [250, 222, 178];

const mag = (m: number, frame: DeviceSpec['frame'] = VGA, extra: Partial<DeviceSpec> = {}): DeviceSpec => ({
  name: `x${m}${frame === HD ? '-hd' : ''}`,
  description: `×${m} of BCCD's magnification, ${frame.width}x${frame.height}${m < 1 ? `, a mosaic of fields` : m > 1 ? ', a crop of one field enlarged' : ''}`,
  magnification: m,
  frame,
  ...extra,
});

const cast = (profile: string): DeviceSpec => ({ name: profile, description: `×1, colour cast '${profile}' (device-profiles.ts)`, magnification: 1, frame: VGA, colourProfile: profile });

/**
 * The simulated devices of `npm run bench:devices`, built from BCCD test fields. `reference` is BCCD
 * test itself (×1, 640x480, no degradation). Magnification rows change the scale only; colour rows
 * the colour only (at ×1); optics rows blur, JPEG and noise; the last rows combine them.
 */
export const DEVICES: readonly DeviceSpec[] = [
  { name: 'reference', description: 'BCCD test as it is (×1, 640x480)', magnification: 1, frame: VGA },
  mag(0.15),
  mag(0.25),
  mag(0.4),
  mag(0.6),
  mag(0.6, HD),
  mag(0.75),
  mag(1.25),
  mag(1.5),
  mag(2),
  { name: 'crop-256', description: "×1, 256x256 crops around a leukocyte (a BCCD-like source of small crops)", magnification: 1, frame: { width: 256, height: 256 } },
  { name: 'eyepiece-x0.25', description: 'smartphone on the eyepiece: ×0.25, 416x416, circular field of view', magnification: 0.25, frame: PHONE, eyepiece: { radiusFraction: 0.94 } },
  { name: 'eyepiece-x0.6', description: 'smartphone on the eyepiece with zoom: ×0.6, 416x416, circular field of view', magnification: 0.6, frame: PHONE, eyepiece: { radiusFraction: 0.94 } },
  { name: 'eyepiece-x0.12', description: "smartphone on the eyepiece: ×0.12 (leukocytes ~22 px), 416x416, circle, JPEG 70, noise 3", magnification: 0.12, frame: PHONE, eyepiece: { radiusFraction: 0.94 }, jpegQuality: 70, noise: 3 },
  ...['tungsten', 'led-blue', 'dark-gamma', 'washed', 'desaturated', 'vivid-green', 'yellow-bg', 'blue-bg'].map(cast),
  { name: 'stain-blue', description: '×1, more blue stain: haematoxylin-like ×1.5, eosin-like ×0.7 (optical density)', magnification: 1, frame: VGA, stain: { blue: 1.5, pink: 0.7 } },
  { name: 'stain-pink', description: '×1, more pink stain: haematoxylin-like ×0.7, eosin-like ×1.5 (optical density)', magnification: 1, frame: VGA, stain: { blue: 0.7, pink: 1.5 } },
  { name: 'bg-cyan', description: `×1, cyan-blue illuminant (${CYAN.join(', ')})`, magnification: 1, frame: VGA, illuminant: CYAN },
  { name: 'defocus', description: '×1, defocus blur sigma 2.5 px', magnification: 1, frame: VGA, blurSigma: 2.5 },
  { name: 'jpeg30', description: '×1, JPEG quality 30', magnification: 1, frame: VGA, jpegQuality: 30 },
  { name: 'noise', description: '×1, sensor noise sigma 8 levels', magnification: 1, frame: VGA, noise: 8 },
  {
    name: 'other-lab',
    description: '×0.75, cyan-blue illuminant, blue stain ×1.3 / pink ×0.85, blur 1, JPEG 60, noise 3 (like the issue\'s other microscope)',
    magnification: 0.75,
    frame: VGA,
    illuminant: CYAN,
    stain: { blue: 1.3, pink: 0.85 },
    blurSigma: 1,
    jpegQuality: 60,
    noise: 3,
  },
  {
    name: 'other-lab-hd',
    description: '×0.5, 1280x960, warm illuminant, pink stain ×1.3 / blue ×0.9, defocus 1.5, JPEG 50 (a second lab, combined)',
    magnification: 0.5,
    frame: HD,
    illuminant: WARM,
    stain: { blue: 0.9, pink: 1.3 },
    blurSigma: 1.5,
    jpegQuality: 50,
  },
  {
    name: 'eyepiece-x0.4-blue',
    description: 'smartphone on the eyepiece: ×0.4, 416x416, circle, cyan illuminant, blue stain ×1.4 / pink ×0.8, JPEG 60, noise 4',
    magnification: 0.4,
    frame: PHONE,
    eyepiece: { radiusFraction: 0.9 },
    illuminant: CYAN,
    stain: { blue: 1.4, pink: 0.8 },
    jpegQuality: 60,
    noise: 4,
  },
];

/** Real fields of another microscope (TXL test split), shown at their own size and scale. */
export const REAL_DEVICES = ['raabin', 'pbc'] as const;
export type RealDeviceName = (typeof REAL_DEVICES)[number];

export function deviceByName(name: string): DeviceSpec {
  const d = DEVICES.find((x) => x.name === name);
  if (!d) throw new Error(`unknown device '${name}'; one of ${[...DEVICES.map((x) => x.name), ...REAL_DEVICES].join(', ')}`);
  return d;
}
