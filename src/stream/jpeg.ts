/**
 * JPEG encoding for viewers (sharp; runs on libuv's thread pool, off the event loop).
 */
import sharp from 'sharp';
import type { Frame } from '../core/frame.js';
import type { FrameHeader } from './protocol.js';
import { PROTOCOL_VERSION } from './protocol.js';

export interface FrameJpegOptions {
  /** Downscale to at most this width (aspect kept; never upscaled). */
  maxWidth: number;
  quality: number;
}

export interface EncodedFrame {
  readonly header: FrameHeader;
  readonly jpeg: Uint8Array;
}

/** Output size of a frame downscaled to `maxWidth` (even sizes are not required by JPEG). */
export function viewerSize(width: number, height: number, maxWidth: number): { width: number; height: number } {
  if (width <= maxWidth) return { width, height };
  return { width: maxWidth, height: Math.max(1, Math.round((height * maxWidth) / width)) };
}

export async function encodeFrameJpeg(frame: Frame, options: FrameJpegOptions): Promise<EncodedFrame> {
  const size = viewerSize(frame.width, frame.height, options.maxWidth);
  let image = sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } });
  if (size.width !== frame.width) image = image.resize(size.width, size.height, { kernel: 'linear' });
  const jpeg = await image.jpeg({ quality: options.quality, mozjpeg: false }).toBuffer();
  return {
    header: {
      v: PROTOCOL_VERSION,
      type: 'frame',
      seq: frame.seq,
      timestampMs: frame.timestampMs,
      width: size.width,
      height: size.height,
      sourceWidth: frame.width,
      sourceHeight: frame.height,
    },
    jpeg,
  };
}

export interface CropOptions {
  /** Side of the square output, pixels. */
  size: number;
  /** Margin added around the box, as a fraction of its larger side. */
  marginFraction: number;
  quality: number;
}

/** Square region around a box, clamped to the frame; null when the box lies outside it. */
export function cropRegion(
  box: readonly [number, number, number, number],
  frameWidth: number,
  frameHeight: number,
  marginFraction: number,
): { left: number; top: number; width: number; height: number } | null {
  const [x1, y1, x2, y2] = box;
  const side = Math.max(x2 - x1, y2 - y1) * (1 + 2 * marginFraction);
  if (!(side > 0)) return null;
  const cx = (x1 + x2) / 2;
  const cy = (y1 + y2) / 2;
  const left = Math.max(0, Math.floor(cx - side / 2));
  const top = Math.max(0, Math.floor(cy - side / 2));
  const right = Math.min(frameWidth, Math.ceil(cx + side / 2));
  const bottom = Math.min(frameHeight, Math.ceil(cy + side / 2));
  if (right - left < 2 || bottom - top < 2) return null;
  return { left, top, width: right - left, height: bottom - top };
}

/** JPEG crop of one cell from a frame, letterboxed into a `size` square. */
export async function encodeCellCrop(
  frame: Frame,
  box: readonly [number, number, number, number],
  options: CropOptions,
): Promise<Uint8Array | null> {
  const region = cropRegion(box, frame.width, frame.height, options.marginFraction);
  if (region === null) return null;
  return sharp(frame.rgb, { raw: { width: frame.width, height: frame.height, channels: 3 } })
    .extract(region)
    .resize(options.size, options.size, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: options.quality })
    .toBuffer();
}

/** JPEG of a packed RGB24 crop (the tracker's `RgbCrop`), resized to fit a `size` square. */
export async function encodeRgbCrop(
  rgb: { width: number; height: number; data: Uint8Array },
  options: Pick<CropOptions, 'size' | 'quality'>,
): Promise<Uint8Array> {
  return sharp(rgb.data, { raw: { width: rgb.width, height: rgb.height, channels: 3 } })
    .resize(options.size, options.size, { fit: 'contain', background: { r: 0, g: 0, b: 0 } })
    .jpeg({ quality: options.quality })
    .toBuffer();
}
