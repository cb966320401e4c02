import { basename } from 'node:path';
import { type DetectionsXyxyPixels, detectionRows } from '../core/detections.js';

/** One detection in `detect --format coco` (and `eval --predictions`): bbox is COCO [x, y, w, h] in pixels. */
export interface CocoDetectionRecord {
  readonly file_name: string;
  /** Class name from the model card. */
  readonly category: string;
  readonly bbox: [number, number, number, number];
  readonly score: number;
}

/** One line of `detect --format jsonl`: one image. */
export interface JsonlImageRecord {
  readonly file_name: string;
  readonly width?: number;
  readonly height?: number;
  readonly detections?: { category: string; bbox: [number, number, number, number]; score: number }[];
  /** Set instead of the others when the image failed. */
  readonly error?: string;
}

const round = (v: number, digits: number) => Number(v.toFixed(digits));

/** The name images are known by in outputs and annotations: the file's base name. */
export function fileNameOf(path: string): string {
  return basename(path);
}

export function toCocoRecords(file: string, d: DetectionsXyxyPixels): CocoDetectionRecord[] {
  return detectionRows(d).map((r) => ({
    file_name: fileNameOf(file),
    category: r.className,
    bbox: [round(r.x1, 2), round(r.y1, 2), round(r.x2 - r.x1, 2), round(r.y2 - r.y1, 2)],
    score: round(r.score, 5),
  }));
}

export function toJsonlRecord(file: string, d: DetectionsXyxyPixels): JsonlImageRecord {
  return {
    file_name: fileNameOf(file),
    width: d.imageWidth,
    height: d.imageHeight,
    detections: toCocoRecords(file, d).map(({ category, bbox, score }) => ({ category, bbox, score })),
  };
}
