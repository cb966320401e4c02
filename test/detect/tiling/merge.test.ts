import { describe, expect, it } from 'vitest';
import { nmsFromCard } from '../../../src/detect/nms.js';
import { mergeTileDetections } from '../../../src/detect/tiling/merge.js';
import { planTiles, type TilePlan } from '../../../src/detect/tiling/plan.js';
import { renderTile } from '../../../src/detect/tiling/tile-image.js';
import { BACKGROUND, type Box, CLASSES, detectionsOf, fakeCard, findBlobs, frameWithCells } from './fake-cells.js';

const INPUT = { width: 512, height: 384 };
const FRAME = { width: 640, height: 480 };
const nms = nmsFromCard(fakeCard());

/** Every tile seen by the blob detector, merged: what CalibratedDetector does, without the worker. */
function detectTiled(plan: TilePlan, cells: readonly Box[]) {
  const frame = frameWithCells(FRAME.width, FRAME.height, cells);
  const perTile = plan.tiles.map((t) => {
    const img = renderTile(frame, t, BACKGROUND);
    return detectionsOf(findBlobs(img), img.width, img.height);
  });
  return mergeTileDetections(plan, perTile, { frame: FRAME, classNames: CLASSES, nms });
}

/** Greedily keeps cells at least 2 px apart (touching blobs would be one blob). */
function separate(cells: readonly Box[]): Box[] {
  const kept: Box[] = [];
  for (const c of cells) if (kept.every((k) => c[0] >= k[2] + 2 || k[0] >= c[2] + 2 || c[1] >= k[3] + 2 || k[1] >= c[3] + 2)) kept.push(c);
  return kept;
}

const boxesOf = (d: { boxes: Float32Array }): number[][] => Array.from({ length: d.boxes.length / 4 }, (_, i) => Array.from(d.boxes.subarray(i * 4, i * 4 + 4)));
const sortBoxes = (b: readonly (readonly number[])[]) => [...b].map((x) => [...x]).sort((p, q) => p[0] - q[0] || p[1] - q[1]);

describe('mergeTileDetections: a cell on a tile seam is detected once, whole', () => {
  // x0.4 (red cells 40.8 px): a 4x5 grid; x0.6 (61.2 px): 3x3. Cells of 2 red cells (a large leukocyte).
  for (const m of [0.4, 0.6]) {
    const rbc = 102 * m;
    const plan = planTiles({ frame: FRAME, input: INPUT, trainingRbcDiameterPx: 81.6, rbcDiameterPx: rbc });
    const a = plan.tiles[0];
    const b = plan.tiles[1]; // right of a
    const c = plan.tiles[plan.cols]; // below a
    const size = Math.round(2 * rbc);
    const seamX = a.core.x1; // mid-overlap between a and b
    const seamY = a.core.y1;
    const at = (cx: number, cy: number, s = size): Box => [Math.round(cx - s / 2), Math.round(cy - s / 2), Math.round(cx - s / 2) + s, Math.round(cy - s / 2) + s];
    const rows: { name: string; cell: Box }[] = [
      // centred on the vertical seam (mid-overlap): in both tiles whole
      { name: 'on the vertical seam', cell: at(seamX, 60) },
      // just left / right of the seam: whole in one tile, cut in the other
      { name: 'a pixel left of the seam', cell: at(seamX - 1, 60) },
      { name: 'a pixel right of the seam', cell: at(seamX + 1, 60) },
      // crossing b's left edge (cut in b, whole in a)
      { name: "across tile b's left edge", cell: at(b.region.x0, 60) },
      // crossing a's right edge (cut in a, whole in b)
      { name: "across tile a's right edge", cell: at(a.region.x1, 60) },
      // on the horizontal seam, and on the corner of four tiles
      { name: 'on the horizontal seam', cell: at(60, seamY) },
      { name: 'on the corner of four tiles', cell: at(seamX, seamY) },
      { name: "across tile c's top edge", cell: at(60, c.region.y0) },
      // at the frame's edge (cut by the frame, not by a seam)
      { name: 'cut by the frame edge', cell: [0, 200, Math.round(size / 2), 200 + size] },
      // a bigger cell (2.4 red cells) on the seam
      { name: 'a 2.4-red-cell cell on the seam', cell: at(seamX, 60, Math.round(2.4 * rbc)) },
    ];
    describe(`x${m} (${plan.cols}x${plan.rows} tiles, overlap ${plan.overlapPx} px)`, () => {
      for (const r of rows) {
        it(r.name, () => {
          const d = detectTiled(plan, [r.cell]);
          expect(boxesOf(d)).toEqual([[...r.cell].map((v, i) => Math.min(v, i % 2 === 0 ? FRAME.width : FRAME.height)).map((v) => Math.max(0, v))]);
        });
      }
      it('a field of cells on every seam: each once, at its own box', () => {
        const cells: Box[] = [];
        for (const t of plan.tiles) {
          if (t.core.x1 < FRAME.width) cells.push(at(t.core.x1, (t.core.y0 + t.core.y1) / 2, Math.round(1.8 * rbc)));
          if (t.core.y1 < FRAME.height) cells.push(at((t.core.x0 + t.core.x1) / 2 + rbc, t.core.y1, Math.round(1.8 * rbc)));
        }
        const apart = separate(cells);
        expect(apart.length).toBeGreaterThanOrEqual(plan.tiles.length / 3); // a real field, not one cell
        const d = detectTiled(plan, apart);
        expect(sortBoxes(boxesOf(d))).toEqual(sortBoxes(apart));
      });
    });
  }
});

describe('mergeTileDetections: mapping back', () => {
  it('moves each box from its canvas (with its offset) to frame px, exactly', () => {
    const plan = planTiles({ frame: { width: 416, height: 416 }, input: INPUT, trainingRbcDiameterPx: 81.6, rbcDiameterPx: 102 });
    const t = plan.tiles[0]; // 640x480 canvas, the frame at (112, 32)
    const d = detectionsOf([[t.offset.x + 10, t.offset.y + 20, t.offset.x + 50, t.offset.y + 70]], t.canvas.width, t.canvas.height);
    const out = mergeTileDetections(plan, [d], { frame: { width: 416, height: 416 }, classNames: CLASSES, nms });
    expect(boxesOf(out)).toEqual([[10, 20, 50, 70]]);
    expect([out.imageWidth, out.imageHeight]).toEqual([416, 416]);
  });
  it('drops a box wholly in the padding, clips one reaching into it', () => {
    const plan = planTiles({ frame: { width: 416, height: 416 }, input: INPUT, trainingRbcDiameterPx: 81.6, rbcDiameterPx: 102 });
    const d = detectionsOf([[0, 0, 50, 20], [100, 100, 150, 150]], 640, 480);
    const out = mergeTileDetections(plan, [d], { frame: { width: 416, height: 416 }, classNames: CLASSES, nms });
    expect(boxesOf(out)).toEqual([[0, 68, 38, 118]]);
  });
  it('drops detections whose centre is outside the field mask', () => {
    const plan = planTiles({ frame: FRAME, input: INPUT, trainingRbcDiameterPx: 81.6, rbcDiameterPx: null });
    const d = detectionsOf([[300, 220, 340, 260], [0, 0, 40, 40]], 640, 480);
    const out = mergeTileDetections(plan, [d], { frame: FRAME, classNames: CLASSES, nms, mask: { kind: 'circle', cx: 320, cy: 240, r: 200 } });
    expect(boxesOf(out)).toEqual([[300, 220, 340, 260]]);
  });
  it('BAD CALL - one result per tile is required', () => {
    const plan = planTiles({ frame: FRAME, input: INPUT, trainingRbcDiameterPx: 81.6, rbcDiameterPx: 40 });
    expect(() => mergeTileDetections(plan, [], { frame: FRAME, classNames: CLASSES })).toThrow(/0 results for 20 tiles/);
  });
});
