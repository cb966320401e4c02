import { readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import type { GroundTruthBox } from '../coco-eval.js';
import { canonicalCategory } from '../category-names.js';
import { AnnotationError, type AnnotationSet, type SkippedAnnotation, categoriesOf, skipOrThrow } from './types.js';

export interface VocObject {
  readonly name: string;
  /** VOC xmin, ymin, xmax, ymax as written in the file (pixels). */
  readonly xmin: number;
  readonly ymin: number;
  readonly xmax: number;
  readonly ymax: number;
}

export interface VocAnnotation {
  readonly filename: string | undefined;
  readonly width: number | undefined;
  readonly height: number | undefined;
  readonly objects: VocObject[];
}

const tag = (xml: string, name: string): string | undefined => {
  const m = new RegExp(`<${name}>\\s*([^<]*?)\\s*</${name}>`).exec(xml);
  return m ? m[1] : undefined;
};

/**
 * Pure: parses the subset of a Pascal VOC annotation that evaluation needs
 * (filename, size, objects with name and bndbox). Throws a plain Error with
 * what is wrong; the caller adds the file name.
 */
export function parseVocXml(xml: string): VocAnnotation {
  if (!/<annotation[\s>]/.test(xml)) throw new Error('no <annotation> element');
  if (!/<\/annotation>/.test(xml)) throw new Error('truncated: no closing </annotation>');
  const size = /<size>([\s\S]*?)<\/size>/.exec(xml)?.[1];
  const objects: VocObject[] = [];
  const re = /<object>([\s\S]*?)<\/object>/g;
  for (let m = re.exec(xml), i = 0; m; m = re.exec(xml), i++) {
    const body = m[1];
    const name = tag(body, 'name');
    const bb = /<bndbox>([\s\S]*?)<\/bndbox>/.exec(body)?.[1];
    if (!name || !bb) throw new Error(`object ${i + 1} has no <name> or <bndbox>`);
    const v = (k: string) => {
      const s = tag(bb, k);
      const n = s === undefined ? NaN : Number(s);
      if (!Number.isFinite(n)) throw new Error(`object ${i + 1} (${name}): bad <${k}> '${s ?? ''}'`);
      return n;
    };
    objects.push({ name, xmin: v('xmin'), ymin: v('ymin'), xmax: v('xmax'), ymax: v('ymax') });
  }
  const num = (s: string | undefined) => (s === undefined ? undefined : Number(s));
  return { filename: tag(xml, 'filename'), width: num(size && tag(size, 'width')), height: num(size && tag(size, 'height')), objects };
}

/**
 * Ground truth from VOC boxes: bbox = [xmin, ymin, xmax - xmin, ymax - ymin],
 * as training/'s evaluator reads them; degenerate boxes (xmax <= xmin) dropped.
 */
export function vocToGroundTruth(imageId: string, ann: VocAnnotation): GroundTruthBox[] {
  return ann.objects
    .filter((o) => o.xmax > o.xmin && o.ymax > o.ymin)
    .map((o) => ({ imageId, category: canonicalCategory(o.name), bbox: [o.xmin, o.ymin, o.xmax - o.xmin, o.ymax - o.ymin] as const }));
}

/**
 * Reads a VOC folder: either the dataset root (with Annotations/) or the
 * Annotations folder itself. `ids` (from --split) picks images; default all.
 */
export async function readVoc(dir: string, ids?: readonly string[]): Promise<AnnotationSet> {
  let annDir = join(dir, 'Annotations');
  let names: string[];
  try {
    names = await readdir(annDir);
  } catch {
    annDir = dir;
    names = await readdir(dir);
  }
  const available = new Set(names.filter((n) => n.toLowerCase().endsWith('.xml')).map((n) => basename(n, '.xml')));
  const wanted = ids ?? [...available].sort();
  const images = new Map<string, string>();
  const boxes: GroundTruthBox[] = [];
  const skipped: SkippedAnnotation[] = [];
  for (const id of wanted) {
    const file = join(annDir, `${id}.xml`);
    if (!available.has(id)) throw new AnnotationError(file, 'not found (listed in the split but missing)');
    let ann: VocAnnotation;
    try {
      ann = parseVocXml(await readFile(file, 'utf8'));
    } catch (err) {
      skipped.push({ file, reason: `malformed VOC annotation (${(err as Error).message})` });
      continue;
    }
    images.set(id, ann.filename ?? `${id}.jpg`);
    boxes.push(...vocToGroundTruth(id, ann));
  }
  skipOrThrow(skipped, wanted.length);
  return { format: 'voc', images, categories: categoriesOf(boxes), boxes, skipped };
}
