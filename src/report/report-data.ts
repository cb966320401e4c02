import { redactUri, redactValue } from '../capture/redact-uri.js';
import type { LoadedScan } from '../store/types.js';
import type { ScanRef, ScanStore } from '../store/scan-store.js';
import { softwareVersion } from '../store/software-version.js';

/** Everything a report renders: a loaded scan plus who/when generated it. Pure data. */
export interface ReportData extends LoadedScan {
  readonly generatedAtMs: number;
  readonly software: { readonly name: 'leukoscan'; readonly version: string };
}

export function loadReportData(
  store: ScanStore,
  ref: ScanRef,
  opts: { crops?: boolean; now?: () => number } = {},
): ReportData {
  const loaded = store.loadScan(ref, { crops: opts.crops });
  return {
    ...loaded,
    // Camera credentials stay in the store: every report shows rtsp://user:***@host/….
    scan: { ...loaded.scan, source: redactUri(loaded.scan.source) },
    events: loaded.events.map((e) => ({ ...e, detail: redactValue(e.detail) })),
    generatedAtMs: (opts.now ?? Date.now)(),
    software: { name: 'leukoscan', version: softwareVersion() },
  };
}

/** 'completed' scans are final; aborted ones cancelled; anything still open (or interrupted) preliminary. */
export function reportStatus(data: ReportData): 'final' | 'preliminary' | 'cancelled' {
  if (data.scan.status === 'completed') return 'final';
  if (data.scan.status === 'aborted') return 'cancelled';
  return 'preliminary';
}

export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
}
