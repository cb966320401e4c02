import sharp from 'sharp';
import type { Frame } from '../../core/frame.js';

/** JPEG encode and decode at a quality (1-100): the camera's compression artefacts. The I/O edge of the renderer. */
export async function jpegRoundTrip(frame: Frame, quality: number): Promise<Frame> {
  const raw = { width: frame.width, height: frame.height, channels: 3 as const };
  const jpeg = await sharp(frame.rgb, { raw }).jpeg({ quality, chromaSubsampling: '4:2:0' }).toBuffer();
  const { data, info } = await sharp(jpeg).removeAlpha().raw().toBuffer({ resolveWithObject: true });
  if (info.width !== frame.width || info.height !== frame.height || info.channels !== 3) throw new Error(`jpegRoundTrip: decoded ${info.width}x${info.height}x${info.channels}`);
  return { ...frame, rgb: new Uint8Array(data.buffer, data.byteOffset, data.length) };
}
