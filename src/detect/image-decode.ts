import { basename } from 'node:path';
import sharp from 'sharp';
import type { Frame } from '../core/frame.js';

export class ImageDecodeError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Image ${file}: ${detail}`);
    this.name = 'ImageDecodeError';
  }
}

/** File extensions `detect` and `eval` pick up from a directory. */
export const IMAGE_EXTENSIONS = ['.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp'] as const;

export function isImageFile(path: string): boolean {
  const lower = basename(path).toLowerCase();
  return IMAGE_EXTENSIONS.some((ext) => lower.endsWith(ext));
}

/**
 * Decodes an image file (or bytes) to an RGB24 `Frame` with sharp. Alpha is
 * dropped, grey and CMYK become sRGB. EXIF orientation is NOT applied, as in
 * training (PIL's Image.open). Truncated or corrupt files are errors, not
 * partial images (sharp failOn: 'truncated').
 */
export async function decodeImage(source: string | Buffer, label = typeof source === 'string' ? source : '<buffer>', seq = 0): Promise<Frame> {
  try {
    const { data, info } = await sharp(source, { failOn: 'truncated' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw()
      .toBuffer({ resolveWithObject: true });
    if (info.channels !== 3) {
      throw new Error(`decoded to ${info.channels} channels, expected 3`);
    }
    return {
      seq,
      timestampMs: Date.now(),
      width: info.width,
      height: info.height,
      rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
    };
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || /Input file is missing/.test(msg)) throw new ImageDecodeError(label, 'not found');
    throw new ImageDecodeError(label, `cannot be decoded (${msg.split('\n')[0]})`);
  }
}

/** Alias kept for readers that think in files. */
export const decodeImageFile = (file: string, seq = 0): Promise<Frame> => decodeImage(file, file, seq);
