/**
 * Merges the detections of a plan's tiles into one set in frame pixels (pure):
 * 1. each box is moved from its tile's canvas to the frame and clipped to the tile's region;
 * 2. it is kept only from the tile whose core holds its centre (a cell cut by an internal seam is
 *    taken from the tile where it lies whole: see Tile.core);
 * 3. boxes whose centre is outside the field of view are dropped;
 * 4. class-grouped NMS across tiles (the card's `postprocess` groups, src/detect/nms.ts) removes
 *    what two tiles both kept near a seam. Sorted by score, highest first.
 */
import type { DetectionsXyxyPixels } from '../../core/detections.js';
import type { FieldMask } from '../../calibration/types.js';
import { gatherBoxes } from '../boxes.js';
import { type NmsOptions, nmsSorted } from '../nms.js';
import { pointInField } from '../../calibration/field-region.js';
import type { PixelRect, TilePlan } from './plan.js';

export interface MergeOptions {
  readonly frame: { readonly width: number; readonly height: number };
  readonly classNames: readonly string[];
  readonly nms?: NmsOptions;
  readonly mask?: FieldMask;
}

interface Kept {
  readonly box: readonly [number, number, number, number];
  readonly score: number;
  readonly classId: number;
}

function inCore(core: PixelRect, x: number, y: number, frame: MergeOptions['frame']): boolean {
  // half-open, except the frame's own far edges
  const okX = x >= core.x0 && (x < core.x1 || (core.x1 >= frame.width && x <= core.x1));
  const okY = y >= core.y0 && (y < core.y1 || (core.y1 >= frame.height && y <= core.y1));
  return okX && okY;
}

/** perTile[i]: tile i's detections in its canvas px. -> detections in frame px. */
export function mergeTileDetections(plan: TilePlan, perTile: readonly DetectionsXyxyPixels[], opts: MergeOptions): DetectionsXyxyPixels {
  if (perTile.length !== plan.tiles.length) throw new Error(`mergeTileDetections: ${perTile.length} results for ${plan.tiles.length} tiles`);
  const mask = opts.mask ?? { kind: 'full' };
  const kept: Kept[] = [];
  plan.tiles.forEach((tile, t) => {
    const d = perTile[t];
    const { region: r, offset } = tile;
    const dx = r.x0 - offset.x;
    const dy = r.y0 - offset.y;
    for (let i = 0; i < d.scores.length; i++) {
      const x1 = Math.max(r.x0, d.boxes[i * 4] + dx);
      const y1 = Math.max(r.y0, d.boxes[i * 4 + 1] + dy);
      const x2 = Math.min(r.x1, d.boxes[i * 4 + 2] + dx);
      const y2 = Math.min(r.y1, d.boxes[i * 4 + 3] + dy);
      if (x2 <= x1 || y2 <= y1) continue; // wholly in the padding
      const cx = (x1 + x2) / 2;
      const cy = (y1 + y2) / 2;
      if (!inCore(tile.core, cx, cy, opts.frame)) continue;
      if (!pointInField(mask, cx, cy)) continue;
      kept.push({ box: [x1, y1, x2, y2], score: d.scores[i], classId: d.classIds[i] });
    }
  });
  kept.sort((a, b) => b.score - a.score);
  const boxes = new Float32Array(kept.length * 4);
  kept.forEach((k, i) => boxes.set(k.box, i * 4));
  const classIds = Int32Array.from(kept, (k) => k.classId);
  const scores = Float32Array.from(kept, (k) => k.score);
  const keep = opts.nms && plan.tiles.length > 1 ? nmsSorted(boxes, classIds, opts.nms) : null;
  return {
    kind: 'xyxy-pixels',
    imageWidth: opts.frame.width,
    imageHeight: opts.frame.height,
    boxes: keep ? gatherBoxes(boxes, keep) : boxes,
    scores: keep ? Float32Array.from(keep, (i) => scores[i]) : scores,
    classIds: keep ? Int32Array.from(keep, (i) => classIds[i]) : classIds,
    classNames: opts.classNames,
  };
}
