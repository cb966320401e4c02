import { MODEL_CLASSES } from '../core/classes.js';
import type { DetectionsXyxyPixels } from '../core/detections.js';
import { area, intersect } from '../track/box.js';
import type { GroundTruth, PathFrame } from './types.js';

export interface OracleOptions {
  /** A cut cell is reported when at least this fraction of its box is in view. */
  minVisibleFraction: number;
}

export const ORACLE_DEFAULTS: OracleOptions = { minVisibleFraction: 0.25 };

/**
 * The oracle detector: the ground-truth boxes of typed cells projected into the
 * frame at the simulator's true pose and clipped to it, score 1. It is a named
 * oracle for benchmarking the tracker and counter, not a detector.
 */
export function oracleDetections(gt: Pick<GroundTruth, 'cells'>, pose: Pick<PathFrame, 'x' | 'y'>, width: number, height: number, options: OracleOptions = ORACLE_DEFAULTS): DetectionsXyxyPixels {
  const view = { x1: pose.x, y1: pose.y, x2: pose.x + width, y2: pose.y + height };
  const boxes: number[] = [];
  const classIds: number[] = [];
  for (const c of gt.cells) {
    if (c.type === null) continue;
    const v = intersect(c.box, view);
    if (!v || area(v) < options.minVisibleFraction * area(c.box)) continue;
    boxes.push(v.x1 - pose.x, v.y1 - pose.y, v.x2 - pose.x, v.y2 - pose.y);
    classIds.push(MODEL_CLASSES.indexOf(c.type));
  }
  return {
    kind: 'xyxy-pixels',
    imageWidth: width,
    imageHeight: height,
    boxes: new Float32Array(boxes),
    scores: new Float32Array(classIds.length).fill(1),
    classIds: new Int32Array(classIds),
    classNames: MODEL_CLASSES,
  };
}
