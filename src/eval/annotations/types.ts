import type { GroundTruthBox } from '../coco-eval.js';

/** A ground-truth set read from VOC, YOLO or COCO annotations. Image ids are file stems. */
export interface AnnotationSet {
  readonly format: 'voc' | 'yolo' | 'coco';
  /** Image id (file stem) -> image file name, for every annotated image. */
  readonly images: ReadonlyMap<string, string>;
  readonly categories: readonly string[];
  readonly boxes: readonly GroundTruthBox[];
  /** Annotation files that could not be read (their images are left out); the rest were read. */
  readonly skipped: readonly SkippedAnnotation[];
}

export interface SkippedAnnotation {
  readonly file: string;
  readonly reason: string;
}

/**
 * One malformed file among good ones is skipped and named; when every file read was malformed
 * there is nothing to evaluate and the first one's error is thrown.
 */
export function skipOrThrow(skipped: readonly SkippedAnnotation[], read: number): void {
  if (skipped.length > 0 && skipped.length === read) throw new AnnotationError(skipped[0].file, skipped[0].reason);
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
