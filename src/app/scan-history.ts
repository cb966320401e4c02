/**
 * The dashboard's history and review, backed by the scan store: past scans (sources redacted),
 * one scan with its cells, and reviews of stored cells. The store owns every review; after one,
 * `onReviewed` tells the session so it re-derives the live differential and the cell's type.
 */
import { isLeukocyteType } from '../core/classes.js';
import { redactUri } from '../capture/redact-uri.js';
import type { ScanStore } from '../store/scan-store.js';
import type { CellRecord, ReviewAction as StoreReviewAction, ScanSummary as StoredScanSummary } from '../store/types.js';
import type { CountedCell, ScanDetail, ScanSummary } from '../stream/protocol.js';
import { type ReviewRequest, type ReviewResult, type ScanHistory, SessionCommandError } from '../stream/session.js';
import { toWireRows } from './live-differential.js';
import type { PipelineSessionStore } from './scan-record.js';

export const DEFAULT_MAX_CELLS_IN_DETAIL = 200;

export interface StoreHistoryOptions {
  readonly binding: PipelineSessionStore;
  /** Most cells sent in an `openScan` reply. */
  readonly maxCells?: number;
  /** A stored cell was reviewed: its scan id, wire cell id, and the type it counts as now. */
  readonly onReviewed: (scanId: number, cell: { cellId: string; cellType: CountedCell['type']; review: CountedCell['review'] }) => void;
}

export function storeHistory(options: StoreHistoryOptions): ScanHistory {
  const { store, operator } = options.binding;
  const maxCells = options.maxCells ?? DEFAULT_MAX_CELLS_IN_DETAIL;
  return {
    listScans: async (limit) => store.listScans({ limit }).map(toScanSummary),
    openScan: async (scanIdText) => openScan(store, parseScanId(scanIdText), maxCells),
    review: async (request: ReviewRequest): Promise<ReviewResult> => {
      const match = /^(\d+):(\d+)$/.exec(request.cellId);
      if (match === null) throw new SessionCommandError(`cell '${request.cellId}' is not a stored cell`);
      const scanId = Number(match[1]);
      // Flushes what is queued first, so a cell just shown in the gallery can be reviewed.
      const storeCellId = await store.cellIdForTrack(scanId, Number(match[2]));
      if (storeCellId === null) throw new SessionCommandError(`cell ${request.cellId} is not stored yet; try again in a moment`);
      let action: StoreReviewAction;
      if (request.action === 'reclassify') {
        if (request.newType === undefined || !isLeukocyteType(request.newType)) throw new SessionCommandError('reclassify needs a leukocyte type');
        action = { kind: 'reclassify', to: request.newType };
      } else action = { kind: request.action };
      // Audit: the technologist running this server, and which dashboard connection made the change.
      await store.review(storeCellId, action, `${operator} via ${request.operator}`);
      const record = store.getCell(storeCellId);
      options.onReviewed(scanId, { cellId: request.cellId, cellType: record.type ?? record.modelType, review: reviewOf(record) });
      return { cellId: request.cellId, action: request.action, ...(request.newType ? { newType: request.newType } : {}) };
    },
  };
}

function parseScanId(text: string): number {
  const id = Number(text);
  if (!Number.isInteger(id) || id <= 0) throw new SessionCommandError(`'${text}' is not a scan id`);
  return id;
}

function openScan(store: ScanStore, scanId: number, maxCells: number): ScanDetail {
  let loaded;
  try {
    loaded = store.loadScan(scanId, { crops: true });
  } catch (err) {
    // The store's message names the database file: a viewer is told only which scan is missing.
    throw new SessionCommandError((err as Error).name === 'ScanNotFoundError' ? `no scan #${scanId}` : `scan #${scanId} could not be read`);
  }
  return {
    summary: toScanSummary(loaded.scan),
    rows: toWireRows(loaded.differential.rows),
    cells: loaded.cells.slice(-maxCells).map((c) => ({
      cellId: `${c.scanId}:${c.trackId}`,
      trackId: c.trackId,
      type: c.type ?? c.modelType,
      score: c.confidence,
      seq: 0,
      timestampMs: c.lastSeenMs,
      box: [0, 0, 0, 0],
      cropJpegBase64: c.cropJpeg ? Buffer.from(c.cropJpeg).toString('base64') : null,
      review: reviewOf(c),
    })),
  };
}

/** The review a stored cell shows: rejected, reclassified to another type than the model's, or none. */
export function reviewOf(c: Pick<CellRecord, 'rejected' | 'reviewed' | 'type' | 'modelType'>): CountedCell['review'] {
  if (c.rejected) return { action: 'reject' };
  return c.reviewed && c.type !== null && c.type !== c.modelType ? { action: 'reclassify', newType: c.type } : null;
}

/** A stored scan as the protocol's history row (camera credentials redacted). */
export function toScanSummary(scan: StoredScanSummary): ScanSummary {
  return {
    scanId: String(scan.id),
    startedAtMs: scan.startedAtMs,
    endedAtMs: scan.endedAtMs,
    source: redactUri(scan.source),
    total: scan.cellsCounted,
    target: scan.target,
  };
}
