/**
 * BCCD fields with their annotated red-cell boxes, and fields rescaled to other magnifications
 * (mosaics of several fields below x1, a centre crop above), for the scale estimator's bench
 * and tests. I/O edge: reads ../shared/data and resizes with sharp.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { decodeImageFile } from '../../src/detect/image-decode.js';
import { parseVocXml } from '../../src/eval/annotations/voc.js';
import { median } from '../../src/calibration/aggregate.js';

export { median };

export interface RbcField {
  readonly id: string;
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  /** sqrt(w*h) of each annotated RBC box, frame px. */
  readonly rbcSizes: number[];
}

export function bccdAvailable(root: string): boolean {
  return existsSync(join(root, 'bccd', 'ImageSets', 'Main', 'test.txt'));
}

export async function splitIds(root: string, split: 'trainval' | 'test'): Promise<string[]> {
  return (await readFile(join(root, 'bccd', 'ImageSets', 'Main', `${split}.txt`), 'utf8')).split(/\s+/).filter(Boolean);
}

export async function rbcBoxSizes(root: string, id: string): Promise<number[]> {
  const ann = parseVocXml(await readFile(join(root, 'bccd', 'Annotations', `${id}.xml`), 'utf8'));
  return ann.objects.filter((o) => o.name === 'RBC' && o.xmax > o.xmin && o.ymax > o.ymin).map((o) => Math.sqrt((o.xmax - o.xmin) * (o.ymax - o.ymin)));
}

export async function loadRbcField(root: string, id: string): Promise<RbcField> {
  const frame = await decodeImageFile(join(root, 'bccd', 'JPEGImages', `${id}.jpg`));
  return { id, width: frame.width, height: frame.height, rgb: frame.rgb, rbcSizes: await rbcBoxSizes(root, id) };
}

async function resizeRgb(f: RbcField, width: number, height: number): Promise<Buffer> {
  return sharp(Buffer.from(f.rgb), { raw: { width: f.width, height: f.height, channels: 3 } })
    .resize(width, height, { fit: 'fill' })
    .raw()
    .toBuffer();
}

export interface RescaledFrame {
  readonly width: number;
  readonly height: number;
  readonly rgb: Uint8Array;
  /** Expected red-cell diameter: magnification x median annotated box of the fields used. */
  readonly expectedDiameterPx: number;
  readonly fields: number;
}

/**
 * A frame of `width`x`height` showing `fields` at magnification `mag` relative to BCCD: below
 * x1 a mosaic of as many fields as fill the frame (taken in order, cycling), above x1 the
 * first field enlarged and cropped at one of its four corners (`corner` 0-3: BCCD fields are
 * centred on a leukocyte, so a centre crop would show mostly one white cell).
 */
export async function rescaledFrame(fields: readonly RbcField[], mag: number, width = 640, height = 480, corner = 0): Promise<RescaledFrame> {
  const f0 = fields[0];
  const tw = Math.max(1, Math.round(f0.width * mag));
  const th = Math.max(1, Math.round(f0.height * mag));
  const out = new Uint8Array(width * height * 3);
  const cols = Math.ceil(width / tw);
  const rows = Math.ceil(height / th);
  const used: RbcField[] = [];
  const ox = mag > 1 && corner % 2 === 1 ? tw - width : 0;
  const oy = mag > 1 && corner >= 2 ? th - height : 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const f = fields[used.length % fields.length];
      used.push(f);
      const tile = await resizeRgb(f, tw, th);
      for (let y = 0; y < th; y++) {
        const Y = r * th + y - oy;
        if (Y < 0 || Y >= height) continue;
        for (let x = 0; x < tw; x++) {
          const X = c * tw + x - ox;
          if (X < 0 || X >= width) continue;
          const s = (y * tw + x) * 3;
          const d = (Y * width + X) * 3;
          out[d] = tile[s];
          out[d + 1] = tile[s + 1];
          out[d + 2] = tile[s + 2];
        }
      }
    }
  }
  // Below x1 every used field's boxes; above x1 the boxes of the whole first field (the crop shows part of it).
  const sizes = used.flatMap((f) => f.rbcSizes);
  return { width, height, rgb: out, expectedDiameterPx: mag * median(sizes), fields: used.length };
}
