/**
 * Realistic gallery crops for tests and bench/store.ts: typed leukocyte boxes of BCCD
 * (bccd/wbc_types.csv, status ok), cut from the 640x480 fields with sharp, resized to
 * `size`x`size` and JPEG-encoded like the tracker's crops. Fails loudly when the data is missing.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import type { LeukocyteType } from '../../../src/core/classes.js';

const REPO_ROOT = resolve(fileURLToPath(new URL('../../..', import.meta.url)));

export function dataDir(): string {
  return process.env.LEUKOSCAN_DATA ? resolve(process.env.LEUKOSCAN_DATA) : resolve(REPO_ROOT, '..', 'shared', 'data');
}

const TYPE_OF: Record<string, LeukocyteType> = {
  NEUTROPHIL: 'NEU',
  LYMPHOCYTE: 'LYM',
  MONOCYTE: 'MON',
  EOSINOPHIL: 'EOS',
  BASOPHIL: 'BAS',
};

export interface BccdCrop {
  readonly type: LeukocyteType;
  readonly image: string;
  readonly jpeg: Uint8Array;
}

export async function loadBccdCrops(n: number, opts: { size?: number; quality?: number } = {}): Promise<BccdCrop[]> {
  const csv = join(dataDir(), 'bccd', 'wbc_types.csv');
  if (!existsSync(csv)) {
    throw new Error(`BCCD data not found: ${csv} is missing (set LEUKOSCAN_DATA to the shared data directory)`);
  }
  const [header, ...lines] = readFileSync(csv, 'utf8').trim().split(/\r?\n/);
  const cols = header.split(',');
  const at = (row: string[], name: string) => row[cols.indexOf(name)];
  const boxes = lines
    .map((l) => l.split(','))
    .filter((r) => at(r, 'status') === 'ok' && TYPE_OF[at(r, 'wbc_type')]);
  const size = opts.size ?? 64;
  const out: BccdCrop[] = [];
  for (const row of boxes.slice(0, n)) {
    const image = join(dataDir(), 'bccd', 'JPEGImages', at(row, 'image'));
    const meta = await sharp(image).metadata();
    const x1 = Math.max(0, Number(at(row, 'xmin')));
    const y1 = Math.max(0, Number(at(row, 'ymin')));
    const x2 = Math.min(meta.width!, Number(at(row, 'xmax')));
    const y2 = Math.min(meta.height!, Number(at(row, 'ymax')));
    const jpeg = await sharp(image)
      .extract({ left: x1, top: y1, width: x2 - x1, height: y2 - y1 })
      .resize(size, size, { fit: 'cover' })
      .jpeg({ quality: opts.quality ?? 85 })
      .toBuffer();
    out.push({ type: TYPE_OF[at(row, 'wbc_type')], image: at(row, 'image'), jpeg: new Uint8Array(jpeg) });
  }
  if (out.length === 0) throw new Error(`no typed leukocyte boxes with status ok in ${csv}`);
  return out;
}
