import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { encodeCropJpeg } from '../../src/app/encode-crops.js';

describe('encodeCropJpeg', () => {
  it('encodes an RGB crop to a JPEG that decodes to the same size', async () => {
    const data = new Uint8Array(60 * 40 * 3).fill(128);
    const crop = await encodeCropJpeg({ format: 'rgb24', width: 60, height: 40, data, seq: 3 });
    expect([crop.format, crop.width, crop.height, crop.seq]).toEqual(['jpeg', 60, 40, 3]);
    const meta = await sharp(Buffer.from(crop.data)).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['jpeg', 60, 40]);
  });

  it('EMPTY CROP - refuses a zero-size crop, naming the frame', async () => {
    await expect(encodeCropJpeg({ format: 'rgb24', width: 0, height: 10, data: new Uint8Array(0), seq: 12 })).rejects.toThrow('encodeCropJpeg: empty crop from frame 12');
  });
});
