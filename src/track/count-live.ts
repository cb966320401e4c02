import { filter, map, type OperatorFunction } from 'rxjs';
import type { LiveEvent } from '../pipeline/live-types.js';
import type { TrackConfigInput } from './config.js';
import { countCells } from './count-cells.js';
import type { CountUpdate } from './types.js';

/**
 * The live pipeline's events in, count updates out: every 'frame' event is
 * registered (and projects the known cells for overlays), every 'detections'
 * event updates the slide map with the pose of its (earlier) frame. Health and
 * metrics events pass nothing. Each subscription has its own slide map.
 */
export function countLive(config: TrackConfigInput = {}): OperatorFunction<LiveEvent, CountUpdate> {
  return (source) =>
    source.pipe(
      filter((e): e is Extract<LiveEvent, { type: 'frame' | 'detections' }> => e.type === 'frame' || e.type === 'detections'),
      map((e) => ({ frame: e.frame, detections: e.type === 'detections' ? e.detections : null })),
      countCells(config),
    );
}
