import type { Frame } from '../core/frame.js';
import { listBccdFields, loadBccdField } from './bccd.js';
import { CAMERA_PATH_DEFAULTS, cameraPath, type CameraPathOptions } from './camera-path.js';
import { MOSAIC_DEFAULTS, buildMosaic } from './mosaic.js';
import { renderFrame } from './render.js';
import { createRng } from './rng.js';
import type { GroundTruth, Mosaic, ScanOptions } from './types.js';

export interface SimulatedScan {
  readonly groundTruth: GroundTruth;
  readonly mosaic: Mosaic;
  /** Renders the frames in order (lazily: one frame in memory at a time). */
  frames(): Generator<Frame>;
}

export const SCAN_DEFAULTS: ScanOptions = {
  seed: 1,
  frameWidth: 640,
  frameHeight: 480,
  fps: 10,
  durationS: 40,
  cols: 3,
  rows: 2,
};

/** Sensor noise of rendered frames (8-bit levels). */
const RENDER_NOISE = 1.5;
/** Timestamp of the first simulated frame (fixed, so outputs are reproducible). */
const START_MS = Date.UTC(2026, 0, 1);

export interface BuildScanOptions extends ScanOptions {
  /** Data root holding bccd/. */
  dataRoot: string;
  split?: 'test' | 'trainval' | 'train' | 'val';
  path?: Partial<Omit<CameraPathOptions, 'seed' | 'slideWidth' | 'slideHeight' | 'frameWidth' | 'frameHeight' | 'fps' | 'durationS'>>;
}

/**
 * A simulated slide scan: BCCD fields of a split (default: test, held out from
 * training) chosen by the seed, tiled into a mosaic, and a camera path over it.
 */
export async function buildScan(options: BuildScanOptions): Promise<SimulatedScan> {
  const { dataRoot, split = 'test', path: pathOptions, ...scan } = options;
  const refs = await listBccdFields(dataRoot, split);
  const needed = scan.cols * scan.rows;
  const withCells = refs.filter((r) => r.cells.some((c) => c.type !== null));
  if (withCells.length < needed) throw new Error(`simulate: ${needed} fields needed, BCCD ${split} has ${withCells.length} with typed leukocytes`);
  const chosen = createRng(scan.seed).shuffle(withCells).slice(0, needed);
  const fields = await Promise.all(chosen.map((r) => loadBccdField(dataRoot, r)));
  const mosaic = buildMosaic(fields, { cols: scan.cols, rows: scan.rows, ...MOSAIC_DEFAULTS });
  const path = cameraPath({
    ...CAMERA_PATH_DEFAULTS,
    ...pathOptions,
    seed: scan.seed,
    slideWidth: mosaic.width,
    slideHeight: mosaic.height,
    frameWidth: scan.frameWidth,
    frameHeight: scan.frameHeight,
    fps: scan.fps,
    durationS: scan.durationS,
  });
  const groundTruth: GroundTruth = {
    version: 1,
    options: scan,
    mosaic: { width: mosaic.width, height: mosaic.height, fields: mosaic.fields },
    cells: mosaic.cells,
    path,
  };
  return {
    groundTruth,
    mosaic,
    *frames() {
      const noise = createRng(scan.seed * 31 + 5);
      for (const p of path) {
        yield renderFrame(mosaic, p, { width: scan.frameWidth, height: scan.frameHeight, noise: RENDER_NOISE, startMs: START_MS, fps: scan.fps }, noise);
      }
    },
  };
}
