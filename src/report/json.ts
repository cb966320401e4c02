import type { ReportData } from './report-data.js';
import { isoTime } from './report-data.js';

export const JSON_REPORT_FORMAT = 'leukoscan-scan-report';
export const JSON_REPORT_VERSION = 1;

/** The scan, its differential (counts, percent, 95% CI), cells (without crop bytes), reviews and events. */
export function toJsonReport(data: ReportData): object {
  const { scan, differential } = data;
  return {
    format: JSON_REPORT_FORMAT,
    version: JSON_REPORT_VERSION,
    generatedAt: isoTime(data.generatedAtMs),
    software: data.software,
    scan: {
      ...scan,
      startedAt: isoTime(scan.startedAtMs),
      endedAt: isoTime(scan.endedAtMs),
    },
    differential: {
      counted: differential.counted,
      rejected: differential.rejected,
      pending: differential.pending,
      target: differential.target,
      ciMethod: differential.ciMethod,
      types: Object.fromEntries(
        differential.rows.map((r) => [r.type, { count: r.count, percent: r.percent, ci95: { low: r.ci95.low, high: r.ci95.high } }]),
      ),
    },
    cells: data.cells.map(({ cropJpeg: _crop, ...cell }) => cell),
    reviews: data.reviews,
    events: data.events,
  };
}

export function toJson(data: ReportData): string {
  return `${JSON.stringify(toJsonReport(data), null, 2)}\n`;
}
