import { access, readdir, readFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import sharp from 'sharp';
import type { GroundTruthBox } from '../coco-eval.js';
import { canonicalCategory } from '../category-names.js';
import { isImageFile } from '../../detect/image-decode.js';
import { AnnotationError, type AnnotationSet, type SkippedAnnotation, categoriesOf, skipOrThrow } from './types.js';

/** Pure: class names from a YOLO data.yaml (`names: [a, b]` or a `names:` list / mapping). */
export function parseYoloYamlNames(yaml: string): string[] | undefined {
  const inline = /^names:\s*\[(.*)\]\s*$/m.exec(yaml);
  if (inline) return inline[1].split(',').map((s) => s.trim().replace(/^['"]|['"]$/g, '')).filter((s) => s.length > 0);
  const block = /^names:\s*\n((?:[ \t]+.*\n?)+)/m.exec(yaml);
  if (!block) return undefined;
  return block[1]
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => l.replace(/^-\s*/, '').replace(/^\d+\s*:\s*/, '').replace(/^['"]|['"]$/g, ''));
}

/** Pure: one YOLO label file ('cls cx cy w h', normalised) -> ground truth in pixels. */
export function yoloToGroundTruth(imageId: string, text: string, names: readonly string[], width: number, height: number): GroundTruthBox[] {
  const out: GroundTruthBox[] = [];
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l.length > 0);
  lines.forEach((line, i) => {
    const parts = line.split(/\s+/).map(Number);
    if (parts.length < 5 || parts.some((v) => !Number.isFinite(v))) throw new Error(`line ${i + 1}: malformed row '${line}'`);
    const [cls, cx, cy, w, h] = parts;
    const name = names[cls];
    if (name === undefined) throw new Error(`line ${i + 1}: class ${cls} has no name (names: ${names.join(', ')})`);
    // Clipped to the image, as training/'s YOLO reader does.
    const x1 = Math.max((cx - w / 2) * width, 0);
    const y1 = Math.max((cy - h / 2) * height, 0);
    const x2 = Math.min((cx - w / 2) * width + w * width, width);
    const y2 = Math.min((cy - h / 2) * height + h * height, height);
    out.push({ imageId, category: canonicalCategory(name), bbox: [x1, y1, x2 - x1, y2 - y1] });
  });
  return out;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** Class names: data.yaml in the labels folder or up to two levels above, else classes.txt / obj.names there. */
export async function findYoloNames(labelsDir: string): Promise<{ names: string[]; file: string }> {
  const dirs = [labelsDir, dirname(labelsDir), dirname(dirname(labelsDir))];
  for (const d of dirs) {
    const yaml = join(d, 'data.yaml');
    if (await exists(yaml)) {
      const names = parseYoloYamlNames(await readFile(yaml, 'utf8'));
      if (names && names.length > 0) return { names, file: yaml };
    }
  }
  for (const d of dirs) {
    for (const n of ['classes.txt', 'obj.names']) {
      const f = join(d, n);
      if (await exists(f)) {
        const names = (await readFile(f, 'utf8')).split('\n').map((s) => s.trim()).filter((s) => s.length > 0);
        if (names.length > 0) return { names, file: f };
      }
    }
  }
  throw new AnnotationError(labelsDir, 'no class names (looked for data.yaml, classes.txt, obj.names here and in the two folders above)');
}

/** Reads a YOLO labels folder; image sizes come from the images folder (header read only). */
export async function readYolo(labelsDir: string, imagesDir: string, ids?: readonly string[]): Promise<AnnotationSet> {
  const { names } = await findYoloNames(labelsDir);
  let imageFiles: string[];
  try {
    imageFiles = (await readdir(imagesDir)).filter(isImageFile).sort();
  } catch {
    throw new AnnotationError(imagesDir, 'images folder not found (YOLO labels need the images for their sizes)');
  }
  const byStem = new Map(imageFiles.map((f) => [basename(f, extname(f)), f]));
  const wanted = ids ?? [...byStem.keys()];
  const images = new Map<string, string>();
  const boxes: GroundTruthBox[] = [];
  const skipped: SkippedAnnotation[] = [];
  let labelsRead = 0;
  for (const id of wanted) {
    const file = byStem.get(id);
    if (!file) throw new AnnotationError(join(imagesDir, id), 'image listed in the split is not in the images folder');
    const labelFile = join(labelsDir, `${id}.txt`);
    if (!(await exists(labelFile))) {
      images.set(id, file); // an image with no label file has no objects
      continue;
    }
    const meta = await sharp(join(imagesDir, file)).metadata().catch((e: Error) => {
      throw new AnnotationError(join(imagesDir, file), `cannot read image size (${e.message})`);
    });
    labelsRead++;
    try {
      boxes.push(...yoloToGroundTruth(id, await readFile(labelFile, 'utf8'), names, meta.width ?? 0, meta.height ?? 0));
      images.set(id, file);
    } catch (err) {
      skipped.push({ file: labelFile, reason: (err as Error).message });
    }
  }
  skipOrThrow(skipped, labelsRead);
  return { format: 'yolo', images, categories: categoriesOf(boxes, names.map(canonicalCategory)), boxes, skipped };
}
