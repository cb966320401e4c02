import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { decodeImageFile, ImageDecodeError } from '../../src/detect/image-decode.js';
import { tempDir } from './helpers.js';
import { bccdImage, DEMO_DATA } from '../data.js';

// A real BCCD JPEG: one of the demo slide's fields (demo/), present in every clone.
const BCCD_JPEG = bccdImage('BloodImage_00007', DEMO_DATA);

describe('decodeImageFile', () => {
  it('decodes a PNG to packed RGB24, dropping alpha', async () => {
    const file = join(await tempDir(), 'a.png');
    // 2x1 RGBA: red, half-transparent green
    await sharp(Buffer.from([255, 0, 0, 255, 0, 255, 0, 128]), { raw: { width: 2, height: 1, channels: 4 } }).png().toFile(file);
    const f = await decodeImageFile(file);
    expect([f.width, f.height]).toEqual([2, 1]);
    expect(Array.from(f.rgb)).toEqual([255, 0, 0, 0, 255, 0]);
  });

  it('decodes a greyscale image to three channels', async () => {
    const file = join(await tempDir(), 'g.png');
    await sharp(Buffer.from([7, 200]), { raw: { width: 2, height: 1, channels: 1 } }).png().toFile(file);
    const f = await decodeImageFile(file);
    expect(Array.from(f.rgb)).toEqual([7, 7, 7, 200, 200, 200]);
  });

  it('decodes a 16-bit PNG to 8-bit RGB', async () => {
    const file = join(await tempDir(), 'deep.png');
    await sharp({ create: { width: 3, height: 2, channels: 3, background: '#808080' } }).toColourspace('rgb16').png().toFile(file);
    expect((await sharp(file).metadata()).depth).toBe('ushort');
    const f = await decodeImageFile(file);
    expect(f.rgb.length).toBe(3 * 2 * 3);
    expect(f.rgb[0]).toBe(128);
  });

  it('decodes a BCCD JPEG at 640x480', async () => {
    const f = await decodeImageFile(BCCD_JPEG);
    expect([f.width, f.height, f.rgb.length]).toEqual([640, 480, 640 * 480 * 3]);
  });

  it('TRUNCATED IMAGE - names the file', async () => {
    const bytes = await readFile(BCCD_JPEG);
    const file = join(await tempDir(), 'truncated.jpg');
    await writeFile(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const err = (await decodeImageFile(file).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(ImageDecodeError);
    expect(err.message).toMatch(new RegExp(`^Image ${file}: cannot be decoded`));
  });

  it('UNREADABLE IMAGE - not an image at all, names the file', async () => {
    const file = join(await tempDir(), 'notes.jpg');
    await writeFile(file, 'this is text');
    await expect(decodeImageFile(file)).rejects.toThrow(new RegExp(`^Image ${file}: cannot be decoded`));
  });

  it('MISSING IMAGE - names the file', async () => {
    const file = join(await tempDir(), 'gone.jpg');
    await expect(decodeImageFile(file)).rejects.toThrow(`Image ${file}: not found`);
  });
});
