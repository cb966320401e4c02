import { z } from 'zod';
import { LEUKOCYTE_TYPES } from '../core/classes.js';
import { InvalidCellError } from './errors.js';
import type { CellRetractInput, CellRetypeInput, CountedCellInput } from './types.js';

const finite = z.number().finite();
const leukocyte = z.enum(LEUKOCYTE_TYPES);

/** Validates counted cells at the store's edge, so a bad cell fails in recordCells, never in a later flush. */
export const countedCellInputSchema = z.object({
  trackId: z.number().int(),
  type: leukocyte,
  confidence: z.number().min(0).max(1),
  votes: z.partialRecord(leukocyte, finite),
  slide: z.object({
    x: finite,
    y: finite,
    width: finite.nonnegative().nullish(),
    height: finite.nonnegative().nullish(),
  }),
  segment: z.number().int().nullish(),
  firstSeenMs: finite,
  lastSeenMs: finite,
  cropJpeg: z.instanceof(Uint8Array).nullish(),
});

export function validateCells(scanId: number, cells: readonly CountedCellInput[]): void {
  for (const cell of cells) {
    const parsed = countedCellInputSchema.safeParse(cell);
    if (!parsed.success) {
      const trackId = (cell as { trackId?: unknown } | null)?.trackId;
      const issue = parsed.error.issues[0];
      throw new InvalidCellError(
        `scan #${scanId}: counted cell (track ${String(trackId)}) is invalid at '${issue.path.join('.')}': ${issue.message}`,
      );
    }
  }
}

export const cellRetypeInputSchema = z.object({
  trackId: z.number().int(),
  type: leukocyte,
  confidence: z.number().min(0).max(1).nullish(),
  votes: z.partialRecord(leukocyte, finite).nullish(),
});

export function validateRetypes(scanId: number, retypes: readonly CellRetypeInput[]): void {
  for (const retype of retypes) {
    const parsed = cellRetypeInputSchema.safeParse(retype);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidCellError(
        `scan #${scanId}: retype of track ${String((retype as { trackId?: unknown } | null)?.trackId)} is invalid at '${issue.path.join('.')}': ${issue.message}`,
      );
    }
  }
}

export const cellRetractInputSchema = z.object({
  trackId: z.number().int(),
  keptTrackId: z.number().int(),
});

export function validateRetracts(scanId: number, retracts: readonly CellRetractInput[]): void {
  for (const retract of retracts) {
    const parsed = cellRetractInputSchema.safeParse(retract);
    const issue = parsed.success ? (retract.trackId === retract.keptTrackId ? { path: ['keptTrackId'], message: 'a cell cannot be retracted into itself' } : null) : parsed.error.issues[0];
    if (issue !== null) {
      throw new InvalidCellError(
        `scan #${scanId}: retraction of track ${String((retract as { trackId?: unknown } | null)?.trackId)} is invalid at '${issue.path.join('.')}': ${issue.message}`,
      );
    }
  }
}
