import type { GroundTruthBox } from '../coco-eval.js';

/** A ground-truth set read from VOC, YOLO or COCO annotations. Image ids are file stems. */
export interface AnnotationSet {
  readonly format: 'voc' | 'yolo' | 'coco';
  /** Image id (file stem) -> image file name, for every annotated image. */
  readonly images: ReadonlyMap<string, string>;
  readonly categories: readonly string[];
  readonly boxes: readonly GroundTruthBox[];
}

export class AnnotationError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Annotations ${file}: ${detail}`);
    this.name = 'AnnotationError';
  }
}

/** Categories in a stable order: as first seen. */
export function categoriesOf(boxes: readonly GroundTruthBox[], declared: readonly string[] = []): string[] {
  const seen = new Set(declared);
  for (const b of boxes) seen.add(b.category);
  return [...seen];
}
