import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { z } from 'zod';
import type { GroundTruthBox } from '../coco-eval.js';
import { canonicalCategory } from '../category-names.js';
import { AnnotationError, type AnnotationSet } from './types.js';

const cocoSchema = z.object({
  images: z.array(z.object({ id: z.union([z.number(), z.string()]), file_name: z.string() })),
  annotations: z.array(
    z.object({
      image_id: z.union([z.number(), z.string()]),
      category_id: z.union([z.number(), z.string()]),
      bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]),
      area: z.number().optional(),
      iscrowd: z.union([z.number(), z.boolean()]).optional(),
    }),
  ),
  categories: z.array(z.object({ id: z.union([z.number(), z.string()]), name: z.string() })),
});

/** Pure: a parsed COCO ground-truth JSON -> annotation set (image id = file stem). */
export function cocoToAnnotationSet(json: unknown, file: string): AnnotationSet {
  const r = cocoSchema.safeParse(json);
  if (!r.success) {
    throw new AnnotationError(file, `not a COCO annotation file (${r.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')})`);
  }
  const coco = r.data;
  const stemById = new Map<string, string>();
  const images = new Map<string, string>();
  for (const im of coco.images) {
    const stem = basename(im.file_name, extname(im.file_name));
    stemById.set(String(im.id), stem);
    images.set(stem, basename(im.file_name));
  }
  const catById = new Map(coco.categories.map((c) => [String(c.id), canonicalCategory(c.name)]));
  const boxes: GroundTruthBox[] = coco.annotations.map((a, i) => {
    const imageId = stemById.get(String(a.image_id));
    const category = catById.get(String(a.category_id));
    if (imageId === undefined) throw new AnnotationError(file, `annotation ${i} refers to unknown image_id ${a.image_id}`);
    if (category === undefined) throw new AnnotationError(file, `annotation ${i} refers to unknown category_id ${a.category_id}`);
    return { imageId, category, bbox: a.bbox, area: a.area, iscrowd: a.iscrowd === true || a.iscrowd === 1 };
  });
  return { format: 'coco', images, categories: [...new Set(catById.values())], boxes, skipped: [] };
}

export async function readCocoAnnotations(file: string, ids?: readonly string[]): Promise<AnnotationSet> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new AnnotationError(file, code === 'ENOENT' ? 'not found' : `cannot be read as JSON (${(err as Error).message})`);
  }
  const set = cocoToAnnotationSet(json, file);
  if (!ids) return set;
  const keep = new Set(ids);
  for (const id of ids) if (!set.images.has(id)) throw new AnnotationError(file, `image '${id}' listed in the split is not in the file`);
  return {
    ...set,
    images: new Map([...set.images].filter(([id]) => keep.has(id))),
    boxes: set.boxes.filter((b) => keep.has(b.imageId)),
  };
}
