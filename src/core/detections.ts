/**
 * Columnar detections. The box convention is part of the type name so that
 * mixing conventions fails to compile.
 *
 * boxes: Float32Array [n * 4], each (x1, y1, x2, y2) in pixels of the frame
 * the detector saw (after undoing its resize).
 */
export interface DetectionsXyxyPixels {
  readonly kind: 'xyxy-pixels';
  /** Width and height of the image the pixel coordinates refer to. */
  readonly imageWidth: number;
  readonly imageHeight: number;
  /** [n * 4] x1, y1, x2, y2 */
  readonly boxes: Float32Array;
  /** [n] in [0, 1] */
  readonly scores: Float32Array;
  /** [n] index into `classNames` */
  readonly classIds: Int32Array;
  /** Class names, in model output order (from the model card). */
  readonly classNames: readonly string[];
}

export function detectionCount(d: DetectionsXyxyPixels): number {
  return d.scores.length;
}

export function emptyDetections(imageWidth: number, imageHeight: number, classNames: readonly string[]): DetectionsXyxyPixels {
  return {
    kind: 'xyxy-pixels',
    imageWidth,
    imageHeight,
    boxes: new Float32Array(0),
    scores: new Float32Array(0),
    classIds: new Int32Array(0),
    classNames,
  };
}

/** Row view, for code that is clearer per detection than per column. */
export interface DetectionRow {
  readonly x1: number;
  readonly y1: number;
  readonly x2: number;
  readonly y2: number;
  readonly score: number;
  readonly classId: number;
  readonly className: string;
}

export function detectionRows(d: DetectionsXyxyPixels): DetectionRow[] {
  const rows: DetectionRow[] = [];
  for (let i = 0; i < d.scores.length; i++) {
    rows.push({
      x1: d.boxes[i * 4],
      y1: d.boxes[i * 4 + 1],
      x2: d.boxes[i * 4 + 2],
      y2: d.boxes[i * 4 + 3],
      score: d.scores[i],
      classId: d.classIds[i],
      className: d.classNames[d.classIds[i]] ?? String(d.classIds[i]),
    });
  }
  return rows;
}
