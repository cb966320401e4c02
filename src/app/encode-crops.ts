import sharp from 'sharp';
import type { JpegCrop, RgbCrop } from '../track/types.js';

export interface EncodeCropsOptions {
  /** JPEG quality 1-100. */
  quality?: number;
}

export const ENCODE_CROPS_DEFAULTS = { quality: 85 } as const;

/** JPEG-encode one RGB crop with sharp. */
export async function encodeCropJpeg(crop: RgbCrop, options: EncodeCropsOptions = {}): Promise<JpegCrop> {
  if (crop.width === 0 || crop.height === 0) throw new Error(`encodeCropJpeg: empty crop from frame ${crop.seq}`);
  const data = await sharp(Buffer.from(crop.data.buffer, crop.data.byteOffset, crop.data.byteLength), {
    raw: { width: crop.width, height: crop.height, channels: 3 },
  })
    .jpeg({ quality: options.quality ?? ENCODE_CROPS_DEFAULTS.quality })
    .toBuffer();
  return { format: 'jpeg', width: crop.width, height: crop.height, data: new Uint8Array(data), seq: crop.seq };
}
