/** Database rows and their mapping to the public records. Only src/store sees rows. */
import { hostname } from 'node:os';
import type { LeukocyteType } from '../core/classes.js';
import type { CellRecord, ReviewRecord, ScanEventRecord, ScanRecord, ScanStatus, ScanSummary } from './types.js';

export interface ScanRow {
  id: number;
  source: string;
  model_name: string;
  model_sha256: string;
  model_version: string | null;
  software_version: string;
  colour_profile_json: string | null;
  operator: string;
  target: number | null;
  started_at_ms: number;
  ended_at_ms: number | null;
  status: ScanStatus;
  writer_pid: number | null;
  writer_host: string | null;
}

export interface ScanSummaryRow extends ScanRow {
  cells_stored: number;
  cells_rejected: number;
  reviews: number;
}

export interface CellRow {
  id: number;
  scan_id: number;
  session: number;
  track_id: number;
  type: LeukocyteType;
  current_type: LeukocyteType | null;
  last_review_id: number | null;
  confidence: number;
  votes_json: string;
  slide_x: number;
  slide_y: number;
  slide_w: number | null;
  slide_h: number | null;
  segment: number | null;
  first_seen_ms: number;
  last_seen_ms: number;
  recorded_at_ms: number;
  has_crop: number;
  crop_jpeg?: Buffer | null;
}

export interface ReviewRow {
  id: number;
  cell_id: number;
  scan_id: number;
  operator: string;
  at_ms: number;
  action: ReviewRecord['action'];
  old_type: LeukocyteType | null;
  new_type: LeukocyteType | null;
  note: string | null;
}

export interface EventRow {
  id: number;
  scan_id: number | null;
  at_ms: number;
  kind: string;
  detail_json: string | null;
}

/** Whether the process that last wrote a scan is still alive (on this host; elsewhere we cannot tell and say yes). */
export function writerAlive(pid: number | null, host: string | null): boolean {
  if (pid === null) return false;
  if (host !== null && host !== hostname()) return true;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function toScanRecord(row: ScanRow): ScanRecord {
  const open = row.status === 'running' || row.status === 'paused';
  return {
    id: row.id,
    source: row.source,
    model: { name: row.model_name, sha256: row.model_sha256, version: row.model_version },
    colourProfile: row.colour_profile_json === null ? null : JSON.parse(row.colour_profile_json),
    operator: row.operator,
    target: row.target,
    softwareVersion: row.software_version,
    startedAtMs: row.started_at_ms,
    endedAtMs: row.ended_at_ms,
    status: row.status,
    interrupted: row.status === 'interrupted' || (open && !writerAlive(row.writer_pid, row.writer_host)),
  };
}

export function toScanSummary(row: ScanSummaryRow): ScanSummary {
  return {
    ...toScanRecord(row),
    cellsStored: row.cells_stored,
    cellsRejected: row.cells_rejected,
    cellsCounted: row.cells_stored - row.cells_rejected,
    reviews: row.reviews,
  };
}

export function toCellRecord(row: CellRow): CellRecord {
  const record: CellRecord = {
    id: row.id,
    scanId: row.scan_id,
    session: row.session,
    trackId: row.track_id,
    modelType: row.type,
    type: row.current_type,
    rejected: row.current_type === null,
    reviewed: row.last_review_id !== null,
    confidence: row.confidence,
    votes: JSON.parse(row.votes_json),
    slide: { x: row.slide_x, y: row.slide_y, width: row.slide_w, height: row.slide_h },
    segment: row.segment,
    firstSeenMs: row.first_seen_ms,
    lastSeenMs: row.last_seen_ms,
    recordedAtMs: row.recorded_at_ms,
    hasCrop: row.has_crop === 1,
  };
  if (row.crop_jpeg !== undefined) {
    return { ...record, cropJpeg: row.crop_jpeg === null ? null : new Uint8Array(row.crop_jpeg) };
  }
  return record;
}

export function toReviewRecord(row: ReviewRow): ReviewRecord {
  return {
    id: row.id,
    cellId: row.cell_id,
    scanId: row.scan_id,
    operator: row.operator,
    atMs: row.at_ms,
    action: row.action,
    oldType: row.old_type,
    newType: row.new_type,
    note: row.note,
  };
}

export function toEventRecord(row: EventRow): ScanEventRecord {
  return {
    id: row.id,
    scanId: row.scan_id,
    atMs: row.at_ms,
    kind: row.kind,
    detail: row.detail_json === null ? null : JSON.parse(row.detail_json),
  };
}
