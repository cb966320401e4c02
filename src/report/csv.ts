import type { CellRecord } from '../store/types.js';
import type { ReportData } from './report-data.js';
import { isoTime } from './report-data.js';

/**
 * One CSV table (RFC 4180, CRLF) whose `record` column says what a row is: one 'cell' row per
 * counted cell, then one 'summary' row per leukocyte type (count, percent, 95% CI), a 'total' row
 * (cells in the differential) and a 'rejected' row. A cell's status is 'counted' (as the model said),
 * 'reclassified' (a review changed its type), 'reviewed' (reviewed, type unchanged) or 'rejected'. Every row has the
 * same columns, so any CSV reader takes it as it is.
 */
export const CSV_COLUMNS = [
  'record',
  'scan_id',
  'cell_id',
  'session',
  'track_id',
  'model_type',
  'type',
  'status',
  'confidence',
  'slide_x',
  'slide_y',
  'slide_w',
  'slide_h',
  'segment',
  'first_seen',
  'last_seen',
  'reviewed_by',
  'count',
  'percent',
  'ci95_low',
  'ci95_high',
] as const;

type Row = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>;

export function toCsv(data: ReportData): string {
  const lastReviewer = new Map<number, string>();
  for (const r of data.reviews) lastReviewer.set(r.cellId, r.operator);
  const rows: Row[] = [];
  for (const c of data.cells) {
    rows.push({
      record: 'cell',
      scan_id: c.scanId,
      cell_id: c.id,
      session: c.session,
      track_id: c.trackId,
      model_type: c.modelType,
      type: c.type ?? '',
      status: cellStatus(c),
      confidence: round(c.confidence, 4),
      slide_x: round(c.slide.x, 2),
      slide_y: round(c.slide.y, 2),
      slide_w: c.slide.width == null ? null : round(c.slide.width, 2),
      slide_h: c.slide.height == null ? null : round(c.slide.height, 2),
      segment: c.segment,
      first_seen: isoTime(c.firstSeenMs),
      last_seen: isoTime(c.lastSeenMs),
      reviewed_by: lastReviewer.get(c.id) ?? null,
    });
  }
  const d = data.differential;
  for (const r of d.rows) {
    rows.push({
      record: 'summary',
      scan_id: d.scanId,
      type: r.type,
      count: r.count,
      percent: round(r.percent, 2),
      ci95_low: round(r.ci95.low, 2),
      ci95_high: round(r.ci95.high, 2),
    });
  }
  rows.push({ record: 'total', scan_id: d.scanId, count: d.counted });
  rows.push({ record: 'rejected', scan_id: d.scanId, count: d.rejected });
  const lines = [CSV_COLUMNS.join(','), ...rows.map((row) => CSV_COLUMNS.map((k) => csvField(row[k])).join(','))];
  return lines.join('\r\n') + '\r\n';
}

function cellStatus(c: CellRecord): 'counted' | 'reclassified' | 'reviewed' | 'rejected' {
  if (c.rejected) return 'rejected';
  if (!c.reviewed) return 'counted';
  return c.type !== c.modelType ? 'reclassified' : 'reviewed';
}

/** Quotes per RFC 4180, and defuses text that a spreadsheet would run as a formula. */
export function csvField(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  let s = value;
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
