/**
 * The tile planner (pure): which parts of a frame the detector sees, at what scale, so that the
 * frame's red cells come out at the size the model was trained at.
 *
 *   factor = trainingRbcDiameterPx / frameRbcDiameterPx   (model-input px per frame px)
 *
 * A tile is a frame region that maps to the model input at that factor: (input.width / factor) x
 * (input.height / factor) frame px. A frame larger than one tile (lower magnification) is cut into
 * overlapping tiles, each enlarged to the input. A frame smaller than one tile (higher
 * magnification) is one tile: the frame sits in a canvas of the tile's size, padded with the
 * background colour, and the canvas is shrunk to the input, so the aspect is kept rather than
 * stretched. Within `stretchTolerance` of today's stretch factor (BCCD's own scale) the plan is
 * today's: the whole frame stretched to the input.
 */
import { TILING_DEFAULTS, type TilingConfig } from './config.js';

/** Integer frame pixels, x1/y1 exclusive. */
export interface PixelRect {
  readonly x0: number;
  readonly y0: number;
  readonly x1: number;
  readonly y1: number;
}

export interface Tile {
  /** The frame pixels this tile shows. */
  readonly region: PixelRect;
  /**
   * The image the inner detector is given, in frame px: `region` copied at `offset`, the rest
   * background. Its aspect is the model input's (to a pixel) unless the plan is 'stretch'.
   */
  readonly canvas: { readonly width: number; readonly height: number };
  readonly offset: { readonly x: number; readonly y: number };
  /**
   * Ownership (frame px, x1/y1 exclusive): a detection of this tile is kept when its centre lies
   * here. The cores of a plan's tiles partition the frame; internal edges sit mid-overlap, so a
   * cell up to one overlap wide whose centre is in a core lies whole in that tile.
   */
  readonly core: PixelRect;
}

export interface TilePlan {
  /** 'stretch': today's single stretched input; 'resample': tiles at the training scale. */
  readonly mode: 'stretch' | 'resample';
  /** Model-input px per frame px along x (along y too, except for 'stretch'). */
  readonly factor: number;
  /** The factor the red cells asked for (null: no scale known); below `factor` when maxTiles capped it. */
  readonly wantedFactor: number | null;
  readonly cols: number;
  readonly rows: number;
  /** Row-major, top-left first. */
  readonly tiles: readonly Tile[];
  /** Smallest overlap between neighbouring tiles, frame px (0 for one tile). */
  readonly overlapPx: number;
}

export interface TilePlanInput {
  readonly frame: { readonly width: number; readonly height: number };
  /** The model's fixed input size (card.input). */
  readonly input: { readonly width: number; readonly height: number };
  /** Median red-cell diameter in model-input px at training (card.trainingScale.rbcDiameterPx). */
  readonly trainingRbcDiameterPx: number;
  /** Median red-cell diameter in this frame's px (the calibration); null: unknown (today's plan). */
  readonly rbcDiameterPx: number | null;
}

/** Today's plan: the whole frame, stretched to the input by the inner detector. */
export function stretchPlan(frame: { width: number; height: number }, input: { width: number; height: number }, wantedFactor: number | null = null): TilePlan {
  const full = { x0: 0, y0: 0, x1: frame.width, y1: frame.height };
  return {
    mode: 'stretch',
    factor: input.width / frame.width,
    wantedFactor,
    cols: 1,
    rows: 1,
    tiles: [{ region: full, canvas: { width: frame.width, height: frame.height }, offset: { x: 0, y: 0 }, core: full }],
    overlapPx: 0,
  };
}

interface AxisTile {
  readonly start: number;
  readonly end: number;
  readonly coreStart: number;
  readonly coreEnd: number;
  readonly canvas: number;
  readonly offset: number;
}

/** One axis: `length` frame px cut into tiles of `tile` frame px overlapping by at least `overlap`. */
export function planAxis(length: number, tile: number, overlap: number): AxisTile[] {
  const canvas = Math.max(1, Math.round(tile));
  if (canvas >= length) {
    return [{ start: 0, end: length, coreStart: 0, coreEnd: length, canvas, offset: Math.floor((canvas - length) / 2) }];
  }
  const ov = Math.min(overlap, canvas - 1);
  const n = Math.ceil((length - ov) / (canvas - ov));
  const starts = Array.from({ length: n }, (_, i) => Math.round((i * (length - canvas)) / (n - 1)));
  return starts.map((start, i) => {
    const end = start + canvas;
    // internal edges mid-overlap: between this tile's end and the next one's start
    const coreStart = i === 0 ? 0 : (starts[i] + (starts[i - 1] + canvas)) / 2;
    const coreEnd = i === n - 1 ? length : (starts[i + 1] + end) / 2;
    return { start, end, coreStart, coreEnd, canvas, offset: 0 };
  });
}

function gridAt(frame: TilePlanInput['frame'], input: TilePlanInput['input'], factor: number, overlapPx: number): { xs: AxisTile[]; ys: AxisTile[] } {
  return { xs: planAxis(frame.width, input.width / factor, overlapPx), ys: planAxis(frame.height, input.height / factor, overlapPx) };
}

/** Is `factor` within the tolerated band around `reference`? (symmetric in log scale) */
function within(factor: number, reference: number, tolerance: number): boolean {
  return Math.abs(Math.log(factor / reference)) <= Math.log(1 + tolerance);
}

/** The plan for one frame. Pure; the same input gives the same plan. */
export function planTiles(p: TilePlanInput, config: Partial<TilingConfig> = {}): TilePlan {
  const cfg = { ...TILING_DEFAULTS, ...config };
  const { frame, input } = p;
  const d = p.rbcDiameterPx;
  if (d === null || !(d > 0) || !Number.isFinite(d) || !(p.trainingRbcDiameterPx > 0)) return stretchPlan(frame, input);
  const wanted = p.trainingRbcDiameterPx / d;
  const sx = input.width / frame.width;
  const sy = input.height / frame.height;
  if (within(wanted, sx, cfg.stretchTolerance) && within(wanted, sy, cfg.stretchTolerance)) return stretchPlan(frame, input, wanted);

  const overlapPx = cfg.overlapRbc * d;
  // never shrink below fitting the whole frame in one tile (that grid has one tile)
  const floor = Math.min(sx, sy);
  let factor = wanted;
  let grid = gridAt(frame, input, factor, overlapPx);
  while (grid.xs.length * grid.ys.length > cfg.maxTiles && factor > floor) {
    factor = Math.max(floor, factor * cfg.shrinkStep);
    grid = gridAt(frame, input, factor, overlapPx);
  }
  const tiles: Tile[] = [];
  for (const y of grid.ys) {
    for (const x of grid.xs) {
      tiles.push({
        region: { x0: x.start, y0: y.start, x1: x.end, y1: y.end },
        canvas: { width: x.canvas, height: y.canvas },
        offset: { x: x.offset, y: y.offset },
        core: { x0: x.coreStart, y0: y.coreStart, x1: x.coreEnd, y1: y.coreEnd },
      });
    }
  }
  return {
    mode: 'resample',
    factor: input.width / tiles[0].canvas.width,
    wantedFactor: wanted,
    cols: grid.xs.length,
    rows: grid.ys.length,
    tiles,
    overlapPx: minOverlap(grid.xs, grid.ys),
  };
}

function minOverlap(xs: AxisTile[], ys: AxisTile[]): number {
  let m = Number.POSITIVE_INFINITY;
  for (const axis of [xs, ys]) for (let i = 1; i < axis.length; i++) m = Math.min(m, axis[i - 1].end - axis[i].start);
  return Number.isFinite(m) ? m : 0;
}
