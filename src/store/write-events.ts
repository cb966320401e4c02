/**
 * What the scan store's events$ says about its write queue, pure: a committed batch ('cells-stored',
 * 'cells-retracted', per scan) and a failed write ('paused' on the first failure of a run, then
 * 'write-error' each time).
 */
import type { BatchResult } from './batch-writer.js';
import { isDiskFullError } from './errors.js';
import type { StoreEvent } from './types.js';
import type { WriteFailure } from './write-queue.js';

export function batchEvents({ stored, flushMs }: BatchResult): StoreEvent[] {
  const out: StoreEvent[] = [];
  for (const { scanId, cells, retracted } of stored) {
    if (cells.length > 0) out.push({ type: 'cells-stored', scanId, cells, flushMs });
    if (retracted.length > 0) out.push({ type: 'cells-retracted', scanId, cells: retracted });
  }
  return out;
}

/** `file`: the database file, named in the message the operator sees. */
export function writeFailureEvents(file: string, { error, pending, retryInMs, first }: WriteFailure): StoreEvent[] {
  const diskFull = isDiskFullError(error);
  const code = String((error as { code?: unknown }).code ?? 'ERROR');
  const message = error instanceof Error ? error.message : String(error);
  const paused: StoreEvent[] = first
    ? [
        {
          type: 'paused',
          reason: diskFull ? 'disk-full' : 'write-error',
          message: `writing counted cells to ${file} failed (${code}: ${message}); ${pending} cells are held in memory and the write is retried`,
        },
      ]
    : [];
  return [...paused, { type: 'write-error', code, message, diskFull, pending, retryInMs }];
}
