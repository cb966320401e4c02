import type { DetectionsXyxyPixels } from '../../core/detections.js';
import type { Frame } from '../../core/frame.js';
import type { CountedCell } from '../../track/types.js';
import { createRng } from '../rng.js';
import type { ScanOptions } from '../types.js';
import { nameSeed } from './device-run.js';
import { jpegRoundTrip } from './jpeg.js';
import { renderDeviceFrame } from './render-device.js';
import type { DeviceSpec } from './types.js';

/**
 * A simulated slide scan seen through a device: the scan's camera path runs over the BCCD mosaic
 * with frames of the device's field of view in mosaic pixels (frame / magnification), and each
 * rendered frame then goes through the device renderer (magnification, colour, optics, eyepiece,
 * noise, JPEG). Scoring stays in mosaic pixels: counted cells are mapped back by 1 / m.
 */

/**
 * Scan options for a device: the view in mosaic px (frame / m), and a mosaic that keeps the base
 * scan's room to raster: the base grid grown by view / base frame per axis (never below it).
 */
export function deviceScanOptions(spec: DeviceSpec, base: ScanOptions): ScanOptions {
  const m = spec.magnification;
  const frameWidth = Math.ceil(spec.frame.width / m - 1e-9);
  const frameHeight = Math.ceil(spec.frame.height / m - 1e-9);
  return {
    ...base,
    frameWidth,
    frameHeight,
    cols: Math.max(base.cols, Math.ceil((base.cols * spec.frame.width) / (m * base.frameWidth) - 1e-9)),
    rows: Math.max(base.rows, Math.ceil((base.rows * spec.frame.height) / (m * base.frameHeight) - 1e-9)),
  };
}

/** The scan's frames rendered as the device, in order (seq and time kept). */
export async function* deviceScanFrames(spec: DeviceSpec, frames: Iterable<Frame>, seed: number): AsyncGenerator<Frame> {
  const rng = createRng(nameSeed(`scan:${spec.name}`, seed));
  for (const f of frames) {
    const field = { name: `scan#${f.seq}`, width: f.width, height: f.height, rgb: f.rgb, cells: [], rbcBoxes: [] };
    const out = renderDeviceFrame({ spec, fields: [field], index: f.seq, timestampMs: f.timestampMs, rng }).frame;
    yield spec.jpegQuality ? await jpegRoundTrip(out, spec.jpegQuality) : out;
  }
}

/** Detections in mosaic-scale frame pixels (the oracle's) -> the device frame's pixels (× m). */
export function scaleDetections(d: DetectionsXyxyPixels, m: number, width: number, height: number): DetectionsXyxyPixels {
  return { ...d, imageWidth: width, imageHeight: height, boxes: d.boxes.map((v) => v * m) };
}

/** Counted cells in device-px slide coordinates -> mosaic px (÷ m), for scoreScan. */
export function cellsToMosaicScale(cells: readonly CountedCell[], m: number): CountedCell[] {
  const s = (v: number) => v / m;
  return cells.map((c) => ({ ...c, slideX: s(c.slideX), slideY: s(c.slideY), slideBox: { x1: s(c.slideBox.x1), y1: s(c.slideBox.y1), x2: s(c.slideBox.x2), y2: s(c.slideBox.y2) } }));
}
