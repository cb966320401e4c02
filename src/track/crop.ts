import type { Frame } from '../core/frame.js';
import type { Box, RgbCrop } from './types.js';

/** Cut a box (frame pixels, clamped to the frame) out of the frame as packed RGB24. */
export function cropRgb(frame: Frame, box: Box): RgbCrop {
  const x1 = Math.max(0, Math.floor(box.x1));
  const y1 = Math.max(0, Math.floor(box.y1));
  const x2 = Math.min(frame.width, Math.ceil(box.x2));
  const y2 = Math.min(frame.height, Math.ceil(box.y2));
  const width = Math.max(0, x2 - x1);
  const height = Math.max(0, y2 - y1);
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    const src = ((y1 + y) * frame.width + x1) * 3;
    data.set(frame.rgb.subarray(src, src + width * 3), y * width * 3);
  }
  return { format: 'rgb24', width, height, data, seq: frame.seq };
}
