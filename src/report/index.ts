/** Scan reports: CSV, JSON, FHIR R4 Bundle, printable HTML. Pure renderers over ReportData. */
import { toCsv } from './csv.js';
import { toFhir } from './fhir.js';
import { toHtml } from './html.js';
import { toJson } from './json.js';
import type { ReportData } from './report-data.js';

export const REPORT_FORMATS = ['csv', 'json', 'fhir', 'html'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export function renderReport(format: ReportFormat, data: ReportData): string {
  switch (format) {
    case 'csv':
      return toCsv(data);
    case 'json':
      return toJson(data);
    case 'fhir':
      return toFhir(data);
    case 'html':
      return toHtml(data);
  }
}

/** Only the HTML gallery needs crop bytes; the other formats leave them out. */
export function formatNeedsCrops(format: ReportFormat): boolean {
  return format === 'html';
}

export { loadReportData, type ReportData } from './report-data.js';
export { toCsv, toJson, toFhir, toHtml };
export { toFhirBundle } from './fhir.js';
export { toJsonReport } from './json.js';
