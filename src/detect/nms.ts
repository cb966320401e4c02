import type { ModelCard } from '../core/model-card.js';

/**
 * Class-grouped non-maximum suppression, the duplicate removal that a short
 * from-scratch DETR run still needs: a few queries end up on the same cell,
 * often under two leukocyte types. Classes in one group (the five leukocyte
 * types) suppress each other; every other class is its own group.
 */
export interface NmsOptions {
  /** Suppress a box whose IoU with a kept, higher-scoring box of its group is above this. */
  readonly iou: number;
  /** Group id per class id (index = class id). */
  readonly groupOfClass: readonly number[];
}

/** IoU of boxes i and j of an [n * 4] xyxy array. */
function iouAt(b: Float32Array, i: number, j: number): number {
  const iw = Math.min(b[i * 4 + 2], b[j * 4 + 2]) - Math.max(b[i * 4], b[j * 4]);
  const ih = Math.min(b[i * 4 + 3], b[j * 4 + 3]) - Math.max(b[i * 4 + 1], b[j * 4 + 1]);
  if (iw <= 0 || ih <= 0) return 0;
  const inter = iw * ih;
  const ai = (b[i * 4 + 2] - b[i * 4]) * (b[i * 4 + 3] - b[i * 4 + 1]);
  const aj = (b[j * 4 + 2] - b[j * 4]) * (b[j * 4 + 3] - b[j * 4 + 1]);
  return inter / (ai + aj - inter);
}

/**
 * Greedy NMS over boxes already sorted by score, highest first (xyxy, any
 * pixel scale). Returns the indices kept, in the same order. Pure.
 */
export function nmsSorted(xyxy: Float32Array, classIds: Int32Array, opts: NmsOptions): number[] {
  const n = classIds.length;
  const kept: number[] = [];
  for (let i = 0; i < n; i++) {
    const g = opts.groupOfClass[classIds[i]] ?? -1 - classIds[i];
    let suppressed = false;
    for (const k of kept) {
      if ((opts.groupOfClass[classIds[k]] ?? -1 - classIds[k]) === g && iouAt(xyxy, i, k) > opts.iou) {
        suppressed = true;
        break;
      }
    }
    if (!suppressed) kept.push(i);
  }
  return kept;
}

/**
 * The card's `postprocess` block -> NmsOptions, or undefined when the card
 * asks for none (cards written before NMS was added have no block).
 */
export function nmsFromCard(card: Pick<ModelCard, 'classes' | 'postprocess'>): NmsOptions | undefined {
  const pp = card.postprocess;
  if (!pp) return undefined;
  const groupOfClass = card.classes.map((_, i) => card.classes.length + i); // own group by default
  pp.nmsGroups.forEach((names, g) => {
    for (const name of names) {
      const id = card.classes.indexOf(name);
      if (id >= 0) groupOfClass[id] = g;
    }
  });
  return { iou: pp.nmsIou, groupOfClass };
}
