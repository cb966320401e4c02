import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LeukocyteType } from '../core/classes.js';
import { parseCsv } from '../core/csv.js';
import { decodeImage } from '../detect/image-decode.js';
import type { Box } from '../track/types.js';
import type { AnnotatedField, FieldCell } from './types.js';

const TYPE_NAMES: Record<string, LeukocyteType> = {
  NEUTROPHIL: 'NEU',
  LYMPHOCYTE: 'LYM',
  MONOCYTE: 'MON',
  EOSINOPHIL: 'EOS',
  BASOPHIL: 'BAS',
};

/** The demo slide shipped in the repository (demo/README.md): a few BCCD test fields in the same layout. */
export const DEMO_DATA_ROOT = resolve(fileURLToPath(new URL('../../demo', import.meta.url)));
/** The data root used when neither --data nor LEUKOSCAN_DATA is given, if it holds BCCD. */
export const DEFAULT_DATA_ROOT = resolve(fileURLToPath(new URL('../../../shared/data', import.meta.url)));

/** Where a simulated slide's fields come from, and the line that says so to the user. */
export interface SlideData {
  readonly root: string;
  /** 'demo': the built-in demo slide; 'data': a data root holding the full BCCD. */
  readonly kind: 'demo' | 'data';
  /** e.g. "demo slide: 20 BCCD fields, MIT" or "BCCD test slide from /data". */
  readonly label: string;
}

function bccdTestList(root: string): string {
  return join(root, 'bccd', 'ImageSets', 'Main', 'test.txt');
}

/**
 * The data root: flag, else LEUKOSCAN_DATA, else ../shared/data beside the
 * repository when it holds BCCD, else the built-in demo slide (demo/). A root
 * given by flag or environment is used as given, even when missing (the error
 * then names it), so a typo never silently scans the demo slide.
 */
export function resolveSlideData(flag?: string, env: NodeJS.ProcessEnv = process.env): SlideData {
  const given = flag || env.LEUKOSCAN_DATA;
  if (given) return { root: resolve(given), kind: 'data', label: `BCCD test slide from ${resolve(given)}` };
  if (existsSync(bccdTestList(DEFAULT_DATA_ROOT))) return { root: DEFAULT_DATA_ROOT, kind: 'data', label: `BCCD test slide from ${DEFAULT_DATA_ROOT}` };
  const fields = existsSync(bccdTestList(DEMO_DATA_ROOT)) ? readFileSync(bccdTestList(DEMO_DATA_ROOT), 'utf8').split(/\s+/).filter(Boolean).length : 0;
  return { root: DEMO_DATA_ROOT, kind: 'demo', label: `demo slide: ${fields} BCCD fields, MIT` };
}

/** The data root (see resolveSlideData). */
export function dataRoot(flag?: string): string {
  return resolveSlideData(flag).root;
}

export class DatasetError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DatasetError';
  }
}

/** WBC boxes of a BCCD VOC annotation. */
export function parseVocWbcBoxes(xml: string): Box[] {
  const boxes: Box[] = [];
  for (const m of xml.matchAll(/<object>([\s\S]*?)<\/object>/g)) {
    const name = /<name>\s*([^<]+?)\s*<\/name>/.exec(m[1])?.[1];
    if (name !== 'WBC') continue;
    const num = (tag: string) => Number(new RegExp(`<${tag}>\\s*([-\\d.]+)\\s*</${tag}>`).exec(m[1])?.[1]);
    const b = { x1: num('xmin'), y1: num('ymin'), x2: num('xmax'), y2: num('ymax') };
    if ([b.x1, b.y1, b.x2, b.y2].every(Number.isFinite)) boxes.push(b);
  }
  return boxes;
}

/** Indices of named columns in a CSV header; a missing one is a DatasetError naming the file. */
export function csvColumns(header: readonly string[], names: readonly string[], file: string): number[] {
  return names.map((name) => {
    const i = header.indexOf(name);
    if (i < 0) throw new DatasetError(`${file}: column ${name} missing`);
    return i;
  });
}

export interface BccdFieldRef {
  readonly image: string;
  readonly cells: readonly FieldCell[];
}

/**
 * Annotated BCCD fields of a split (ImageSets/Main/<split>.txt): every VOC WBC
 * box, typed from wbc_types.csv where its status is `ok`, else untyped.
 */
export async function listBccdFields(root: string, split: 'test' | 'trainval' | 'train' | 'val'): Promise<BccdFieldRef[]> {
  const bccd = join(root, 'bccd');
  const listFile = join(bccd, 'ImageSets', 'Main', `${split}.txt`);
  const typesFile = join(bccd, 'wbc_types.csv');
  for (const f of [listFile, typesFile]) {
    if (!existsSync(f)) throw new DatasetError(`BCCD data not found: ${f} is missing (set --data or LEUKOSCAN_DATA)`);
  }
  const ids = (await readFile(listFile, 'utf8')).split(/\s+/).filter(Boolean);
  const rows = parseCsv(await readFile(typesFile, 'utf8'));
  const [cImage, cX1, cY1, cX2, cY2, cType, cStatus] = csvColumns(rows[0], ['image', 'xmin', 'ymin', 'xmax', 'ymax', 'wbc_type', 'status'], typesFile);
  const typed = new Map<string, { box: Box; type: LeukocyteType }[]>();
  for (const r of rows.slice(1)) {
    const type = TYPE_NAMES[r[cType]];
    if (r[cStatus] !== 'ok' || !type) continue;
    const list = typed.get(r[cImage]) ?? [];
    list.push({ box: { x1: +r[cX1], y1: +r[cY1], x2: +r[cX2], y2: +r[cY2] }, type });
    typed.set(r[cImage], list);
  }
  const out: BccdFieldRef[] = [];
  for (const id of ids) {
    const image = `${id}.jpg`;
    const xmlFile = join(bccd, 'Annotations', `${id}.xml`);
    if (!existsSync(xmlFile)) throw new DatasetError(`BCCD annotation missing: ${xmlFile}`);
    const boxes = parseVocWbcBoxes(await readFile(xmlFile, 'utf8'));
    const types = typed.get(image) ?? [];
    const cells = boxes.map((box) => {
      const t = types.find((x) => Math.abs(x.box.x1 - box.x1) <= 1 && Math.abs(x.box.y1 - box.y1) <= 1 && Math.abs(x.box.x2 - box.x2) <= 1 && Math.abs(x.box.y2 - box.y2) <= 1);
      return { box, type: t?.type ?? null };
    });
    out.push({ image, cells });
  }
  return out;
}

export async function loadBccdField(root: string, ref: BccdFieldRef): Promise<AnnotatedField> {
  const file = join(root, 'bccd', 'JPEGImages', ref.image);
  const frame = await decodeImage(file, file);
  return { name: ref.image, width: frame.width, height: frame.height, rgb: frame.rgb, cells: ref.cells };
}
