import type { Confusion, TallySummary } from './device-score.js';

/** What one device gave in one calibration mode. */
export interface DeviceModeResult {
  readonly mode: 'off' | 'on';
  /** Null where the mode could not run (the reason says why): the table shows n/a. */
  readonly summary: TallySummary | null;
  readonly reason: string | null;
  /** WBC AP50 (percent, COCO, leukocyte types merged). */
  readonly wbcAp50: number;
  readonly wbcAp: number;
  /** Median over frames of (estimated - true RBC diameter) / true, percent; and the largest |error|. Null: no estimate. */
  readonly scaleErrorPercent: { readonly median: number; readonly maxAbs: number; readonly frames: number } | null;
  /** Frames after which the calibration had a scale (0: it never estimated one; always 0 off). */
  readonly scaleEstimates: number;
  /** Wall ms per frame (colour + detection, incl. tiles), this loaded machine. */
  readonly msPerFrame: number;
  readonly confusion: Confusion | null;
  /** The calibrated detector's last tile plan, e.g. "resample 4x3 tiles"; null off. */
  readonly plan: string | null;
}

export interface DeviceResult {
  readonly device: string;
  readonly description: string;
  readonly kind: 'reference' | 'simulated' | 'real';
  readonly frames: number;
  /** Scored leukocytes, and how many of them are typed. */
  readonly cells: number;
  readonly typed: number;
  readonly modes: readonly DeviceModeResult[];
}

const pct = (v: number | undefined) => (v === undefined || Number.isNaN(v) ? 'n/a' : (100 * v).toFixed(1));
const num = (v: number | undefined, d = 1) => (v === undefined || Number.isNaN(v) ? 'n/a' : v.toFixed(d));

function modeOf(r: DeviceResult, mode: 'off' | 'on'): DeviceModeResult | undefined {
  return r.modes.find((m) => m.mode === mode);
}

type Cell = (m: DeviceModeResult | undefined) => string;

/** Median signed error (largest |error|); '-' off (no calibration); 'no est.' where it never estimated a scale. */
const scaleCell: Cell = (m) => {
  if (!m?.summary) return 'n/a';
  const e = m.scaleErrorPercent;
  if (e) return `${e.median >= 0 ? '+' : ''}${e.median.toFixed(1)} (${e.maxAbs.toFixed(1)})`;
  if (m.mode === 'off') return '-';
  return m.scaleEstimates === 0 ? 'no est.' : 'no truth';
};

const COLUMNS: readonly { readonly head: string; readonly cell: Cell }[] = [
  { head: 'scale err %', cell: scaleCell },
  { head: 'recall@0.5 %', cell: (m) => (m?.summary ? pct(m.summary.recall) : 'n/a') },
  { head: 'WBC AP50', cell: (m) => (m?.summary ? num(m.wbcAp50) : 'n/a') },
  { head: 'type acc %', cell: (m) => (m?.summary ? pct(m.summary.typeAccuracy) : 'n/a') },
  { head: 'FP/frame', cell: (m) => (m?.summary ? num(m.summary.falsePositivesPerFrame, 2) : 'n/a') },
  { head: 'ms/frame', cell: (m) => (m?.summary ? num(m.msPerFrame, 0) : 'n/a') },
];

/** Mean over devices of one number (NaN entries left out). */
function meanOf(xs: readonly number[]): number {
  const ok = xs.filter((x) => !Number.isNaN(x));
  return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/** A synthetic "mean" device: the mean of each metric over the given devices, per mode. */
export function meanResult(name: string, rows: readonly DeviceResult[]): DeviceResult {
  const modes = (['off', 'on'] as const).map((mode): DeviceModeResult => {
    const ms = rows.map((r) => modeOf(r, mode)).filter((m): m is DeviceModeResult => m !== undefined && m.summary !== null);
    if (ms.length === 0) return { mode, summary: null, reason: 'no device ran', wbcAp50: Number.NaN, wbcAp: Number.NaN, scaleErrorPercent: null, scaleEstimates: 0, msPerFrame: Number.NaN, confusion: null, plan: null };
    const scales = ms.map((m) => m.scaleErrorPercent).filter((s) => s !== null);
    return {
      mode,
      summary: {
        recall: meanOf(ms.map((m) => m.summary!.recall)),
        typeAccuracy: meanOf(ms.map((m) => m.summary!.typeAccuracy)),
        typedFound: ms.reduce((a, m) => a + m.summary!.typedFound, 0),
        falsePositivesPerFrame: meanOf(ms.map((m) => m.summary!.falsePositivesPerFrame)),
      },
      reason: null,
      wbcAp50: meanOf(ms.map((m) => m.wbcAp50)),
      wbcAp: meanOf(ms.map((m) => m.wbcAp)),
      scaleErrorPercent:
        scales.length === 0
          ? null
          : { median: meanOf(scales.map((s) => s.median)), maxAbs: Math.max(...scales.map((s) => s.maxAbs)), frames: scales.reduce((a, s) => a + s.frames, 0) },
      scaleEstimates: ms.reduce((a, m) => a + m.scaleEstimates, 0),
      msPerFrame: meanOf(ms.map((m) => m.msPerFrame)),
      confusion: null,
      plan: null,
    };
  });
  return { device: name, description: `mean over ${rows.length} devices`, kind: 'simulated', frames: rows.reduce((a, r) => a + r.frames, 0), cells: rows.reduce((a, r) => a + r.cells, 0), typed: rows.reduce((a, r) => a + r.typed, 0), modes };
}

/**
 * The device table: one row per device, each metric as "off | on" (n/a where a mode did not run).
 * Scale error: median over frames of the calibration's RBC diameter against the annotation boxes
 * (× magnification), with the largest |error| in brackets.
 */
export function formatDevicesTable(rows: readonly DeviceResult[]): string {
  const head = ['device', 'frames', 'WBC', 'typed', ...COLUMNS.map((c) => `${c.head} off | on`)];
  const lines = rows.map((r) => [
    r.device,
    String(r.frames),
    String(r.cells),
    String(r.typed),
    ...COLUMNS.map((c) => `${c.cell(modeOf(r, 'off'))} | ${c.cell(modeOf(r, 'on'))}`),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  return [fmt(head), ...lines.map(fmt)].join('\n');
}
