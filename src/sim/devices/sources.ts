import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import type { LeukocyteType } from '../../core/classes.js';
import { parseCsv } from '../../core/csv.js';
import { decodeImage } from '../../detect/image-decode.js';
import { parseVocXml } from '../../eval/annotations/voc.js';
import { yoloToGroundTruth } from '../../eval/annotations/yolo.js';
import type { Box } from '../../track/types.js';
import { DatasetError, csvColumns, listBccdFields, loadBccdField } from '../bccd.js';
import type { RealDeviceName } from './catalogue.js';
import type { DeviceSourceField } from './types.js';

/**
 * Source fields for the device benchmark, test splits only (the leakage rule of
 * ../shared/data/README.md): BCCD test (the simulated devices), and TXL-PBC test's Raabin-WBC
 * and PBC images (a second and third real microscope).
 */

/**
 * BCCD test fields with their leukocytes (typed where wbc_types.csv says ok) and red-cell boxes;
 * 'val-heldout': every second field of val.txt instead, the typer's validation hold-out
 * (training/typer/crops.py), for choices that must not be tuned on test fields.
 */
export async function loadBccdTestFields(root: string, split: 'test' | 'val-heldout' = 'test'): Promise<DeviceSourceField[]> {
  const refs = split === 'test' ? await listBccdFields(root, 'test') : (await listBccdFields(root, 'val')).filter((_, i) => i % 2 === 1);
  return Promise.all(
    refs.map(async (ref) => {
      const f = await loadBccdField(root, ref);
      const xml = await readFile(join(root, 'bccd', 'Annotations', `${basename(ref.image, extname(ref.image))}.xml`), 'utf8');
      const rbcBoxes = parseVocXml(xml)
        .objects.filter((o) => o.name === 'RBC' && o.xmax > o.xmin && o.ymax > o.ymin)
        .map((o) => ({ x1: o.xmin, y1: o.ymin, x2: o.xmax, y2: o.ymax }));
      return { ...f, rbcBoxes };
    }),
  );
}

const TXL_NAMES = ['WBC', 'RBC', 'Platelets'];
const TXL_SOURCE: Record<RealDeviceName, string> = { raabin: 'Raabin-WBC', pbc: 'PBC' };
const PBC_TYPES: Record<string, LeukocyteType> = { neutrophil: 'NEU', lymphocyte: 'LYM', monocyte: 'MON', eosinophil: 'EOS', basophil: 'BAS' };

/**
 * TXL-PBC test images of one source. Raabin-WBC: leukocyte boxes, no types. PBC: the manifest's
 * type belongs to the cell the image is centred on, so it goes to the leukocyte box nearest the
 * centre; other leukocytes in the image stay untyped.
 */
export async function loadTxlTestFields(root: string, device: RealDeviceName): Promise<DeviceSourceField[]> {
  const txl = join(root, 'txl_pbc');
  const manifest = join(txl, 'manifest.csv');
  if (!existsSync(manifest)) throw new DatasetError(`TXL-PBC data not found: ${manifest} is missing (set --data or LEUKOSCAN_DATA)`);
  const rows = parseCsv(await readFile(manifest, 'utf8'));
  const [cSplit, cImage, cSource, cType] = csvColumns(rows[0], ['split', 'image', 'source_guess', 'wbc_type'], manifest);
  const picked = rows.slice(1).filter((r) => r[cSplit] === 'test' && r[cSource] === TXL_SOURCE[device]);
  return Promise.all(
    picked.map(async (r) => {
      const image = r[cImage];
      const stem = basename(image, extname(image));
      const frame = await decodeImage(join(txl, 'images', 'test', image), image);
      const labels = await readFile(join(txl, 'labels', 'test', `${stem}.txt`), 'utf8');
      const gt = yoloToGroundTruth(stem, labels, TXL_NAMES, frame.width, frame.height);
      const toBox = (b: readonly number[]): Box => ({ x1: b[0], y1: b[1], x2: b[0] + b[2], y2: b[1] + b[3] });
      const wbc = gt.filter((g) => g.category === 'WBC').map((g) => toBox(g.bbox));
      const type = device === 'pbc' ? (PBC_TYPES[r[cType]] ?? null) : null;
      const dist = (b: Box) => Math.hypot((b.x1 + b.x2) / 2 - frame.width / 2, (b.y1 + b.y2) / 2 - frame.height / 2);
      const centred = wbc.reduce((best, b, i) => (best < 0 || dist(b) < dist(wbc[best]) ? i : best), -1);
      return {
        name: image,
        width: frame.width,
        height: frame.height,
        rgb: frame.rgb,
        cells: wbc.map((box, i) => ({ box, type: i === centred ? type : null })),
        rbcBoxes: gt.filter((g) => g.category === 'RBC').map((g) => toBox(g.bbox)),
      };
    }),
  );
}
