import { type HealthEvent, describeHealth } from '../capture/health.js';
import type { DetectionsXyxyPixels } from '../core/detections.js';
import type { MetricsSnapshot } from '../pipeline/metrics.js';

export interface StatusView {
  readonly source: string;
  readonly provider: string;
  readonly metrics: MetricsSnapshot | null;
  readonly health: HealthEvent | null;
  readonly lastDetections: DetectionsXyxyPixels | null;
  /** The detector's calibration in one line (src/detect/calibration-summary.ts); absent: not shown. */
  readonly calibration?: string;
}

const ms = (v: number): string => (Number.isFinite(v) ? `${v.toFixed(0)} ms` : '-');

/** Pure: count of detections per class name, in class order, e.g. "NEU 2  RBC 31". */
export function summariseDetections(d: DetectionsXyxyPixels): string {
  const counts = new Map<string, number>();
  for (let i = 0; i < d.classIds.length; i++) {
    const name = d.classNames[d.classIds[i]] ?? String(d.classIds[i]);
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  if (counts.size === 0) return 'none';
  const order = (name: string): number => {
    const i = d.classNames.indexOf(name);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...counts.entries()]
    .sort((a, b) => order(a[0]) - order(b[0]))
    .map(([k, v]) => `${k} ${v}`)
    .join('  ');
}

/** Pure: the few status lines `leukoscan run` shows (refreshed in place on a TTY). */
export function statusLines(v: StatusView): string[] {
  const m = v.metrics;
  return [
    `source ${v.source}  [${v.health ? describeHealth(v.health) : 'starting'}]  detector ${v.provider}`,
    m
      ? `fps in ${m.fpsIn.toFixed(1)}  detected ${m.fpsDetected.toFixed(1)}  frames ${m.framesIn}  detected ${m.framesDetected}  skipped ${m.framesSkipped}`
      : 'fps in -  detected -',
    m
      ? `latency p50 ${ms(m.latencyP50Ms)}  p95 ${ms(m.latencyP95Ms)}  (detect p50 ${ms(m.detectP50Ms)} p95 ${ms(m.detectP95Ms)}, overhead p95 ${ms(m.overheadP95Ms)})`
      : 'latency -',
    `last detections: ${v.lastDetections ? summariseDetections(v.lastDetections) : '-'}`,
    ...(v.calibration === undefined ? [] : [`calibration: ${v.calibration}`]),
  ];
}

/** Pure: one plain line for logs (non-TTY). */
export function statusLine(v: StatusView): string {
  const m = v.metrics;
  if (!m) return `source ${v.source}: starting`;
  return `fps_in=${m.fpsIn.toFixed(1)} fps_detected=${m.fpsDetected.toFixed(1)} frames=${m.framesIn} detected=${m.framesDetected} skipped=${m.framesSkipped} latency_p50_ms=${m.latencyP50Ms.toFixed(0)} latency_p95_ms=${m.latencyP95Ms.toFixed(0)} detect_p95_ms=${m.detectP95Ms.toFixed(0)} overhead_p95_ms=${m.overheadP95Ms.toFixed(0)} last=${v.lastDetections ? summariseDetections(v.lastDetections).replace(/\s+/g, ',') : '-'}`;
}
