import sharp from 'sharp';
import { concatMap, type OperatorFunction } from 'rxjs';
import type { CountUpdate, JpegCrop, RgbCrop, TrackEvent } from './types.js';

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

/**
 * The I/O edge of counting: replaces the RGB crops of `cell-counted` events by
 * JPEGs. Updates stay in order (one at a time); updates without crops pass
 * through with no delay beyond those ahead of them.
 */
export function encodeCrops(options: EncodeCropsOptions = {}): OperatorFunction<CountUpdate, CountUpdate> {
  return concatMap(async (update) => {
    if (!update.events.some((e) => e.kind === 'cell-counted' && e.crop?.format === 'rgb24')) return update;
    const events: TrackEvent[] = [];
    for (const e of update.events) {
      if (e.kind === 'cell-counted' && e.crop?.format === 'rgb24') {
        events.push({ ...e, crop: await encodeCropJpeg(e.crop, options) });
      } else {
        events.push(e);
      }
    }
    return { ...update, events };
  });
}
