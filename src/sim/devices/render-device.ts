import { DEVICE_PROFILES, applyDeviceProfile } from '../../colour/device-profiles.js';
import { gaussianBlurApprox } from '../render.js';
import type { Rng } from '../rng.js';
import { addNoise, applyIlluminant, cellsInCircle, eyepieceCircle, maskOutsideCircle, toBytes } from './optics.js';
import { SLIDE_VIEW_DEFAULTS, fieldsPerAxis, renderSlideView } from './slide-view.js';
import { shiftStain } from './stain.js';
import type { DeviceFrame, DeviceSourceField, DeviceSpec } from './types.js';

/** How many source fields (cols x rows) one frame of the device shows, for fields of this size. */
export function deviceLayout(spec: DeviceSpec, fieldWidth: number, fieldHeight: number): { cols: number; rows: number } {
  return {
    cols: fieldsPerAxis(spec.frame.width, fieldWidth, spec.magnification),
    rows: fieldsPerAxis(spec.frame.height, fieldHeight, spec.magnification),
  };
}

/** Median of a list (null when empty). */
export function median(xs: readonly number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const k = s.length >> 1;
  return s.length % 2 ? s[k] : (s[k - 1] + s[k]) / 2;
}

export interface RenderDeviceInput {
  readonly spec: DeviceSpec;
  /** cols x rows fields of deviceLayout(), row-major. */
  readonly fields: readonly DeviceSourceField[];
  /** Frame index (seq) within the device run. */
  readonly index: number;
  readonly timestampMs: number;
  /** Draws the view's position and the sensor noise. */
  readonly rng: Rng;
}

/**
 * Renders one device frame and its ground truth from annotated source fields (pure; JPEG is a
 * separate step, jpeg.ts). Order, as light goes: the slide view at the device's magnification
 * (a mosaic of fields below ×1, a crop of one field above), stain shift (optical density),
 * illuminant, defocus, the camera's colour cast, the eyepiece circle, sensor noise.
 */
export function renderDeviceFrame(input: RenderDeviceInput): DeviceFrame {
  const { spec, fields, index, rng } = input;
  const m = spec.magnification;
  const { width, height } = spec.frame;
  const W = fields[0].width;
  const H = fields[0].height;
  const { cols, rows } = deviceLayout(spec, W, H);
  // the view's top-left slide pixel: anywhere the frame fits; a crop of one field (above ×1, or a
  // frame smaller than the field) is centred near a leukocyte
  const slackX = Math.max(0, cols * W - width / m);
  const slackY = Math.max(0, rows * H - height / m);
  let originX = Math.floor(rng.uniform(0, slackX));
  let originY = Math.floor(rng.uniform(0, slackY));
  const cropOfOneField = m > 1 || width / m < W || height / m < H;
  const target = cropOfOneField ? fields[0].cells[rng.int(0, Math.max(1, fields[0].cells.length))] : undefined;
  if (target) {
    const jitter = () => rng.uniform(-0.25, 0.25);
    originX = Math.round(Math.min(slackX, Math.max(0, (target.box.x1 + target.box.x2) / 2 - width / m / 2 + jitter() * slackX)));
    originY = Math.round(Math.min(slackY, Math.max(0, (target.box.y1 + target.box.y2) / 2 - height / m / 2 + jitter() * slackY)));
  }
  const view = renderSlideView({ fields, cols, rows, originX, originY, magnification: m, width, height });
  const rgbF = view.rgb;
  if (spec.stain) shiftStain(rgbF, spec.stain);
  if (spec.illuminant) applyIlluminant(rgbF, spec.illuminant);
  if (spec.blurSigma && spec.blurSigma > 0) gaussianBlurApprox(rgbF, width, height, spec.blurSigma);
  let frame = { seq: index, timestampMs: input.timestampMs, width, height, rgb: toBytes(rgbF) };
  if (spec.colourProfile) {
    const profile = DEVICE_PROFILES.find((p) => p.name === spec.colourProfile);
    if (!profile) throw new Error(`device ${spec.name}: unknown colour profile '${spec.colourProfile}'`);
    frame = applyDeviceProfile(frame, profile);
  }
  let cells = view.cells;
  if (spec.eyepiece) {
    const circle = eyepieceCircle(width, height, spec.eyepiece.radiusFraction);
    maskOutsideCircle(frame.rgb, width, height, circle);
    cells = cellsInCircle(cells, circle, SLIDE_VIEW_DEFAULTS.minVisibleFraction);
  }
  if (spec.noise && spec.noise > 0) addNoise(frame.rgb, spec.noise, rng);
  return {
    device: spec.name,
    id: `${spec.name}#${index}`,
    frame,
    cells,
    rbcDiameterPx: median(view.rbcDiametersPx),
    fields: fields.map((f) => f.name),
  };
}
