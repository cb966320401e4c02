import type { HealthEvent } from '../capture/health.js';
import type { DetectionsXyxyPixels } from '../core/detections.js';
import type { Frame } from '../core/frame.js';
import type { MetricsSnapshot } from './metrics.js';

/** Times of one detection, ms since the Unix epoch (latency and detect time in ms). */
export interface DetectionTiming {
  /** When the frame's last byte arrived from ffmpeg (= frame.timestampMs). */
  readonly arrivalMs: number;
  /** When it was handed to the detector. */
  readonly startedMs: number;
  /** When its detections were published downstream. */
  readonly publishedMs: number;
  /** publishedMs - arrivalMs. */
  readonly latencyMs: number;
  /** publishedMs - startedMs: inference plus the worker round trip. */
  readonly detectMs: number;
}

/**
 * The live pipeline's output, one discriminated union on `type`:
 * - 'frame': every captured frame, colour-normalised (what the detector sees), in order;
 *   `sentToDetector` is false for frames skipped because the detector was busy.
 * - 'detections': the detections for one earlier 'frame' (same `frame.seq`), boxes in that frame's pixels.
 * - 'health': capture health (connected, stalled, reconnecting, fps).
 * - 'metrics': periodic pipeline metrics.
 */
export type LiveEvent =
  | { readonly type: 'frame'; readonly frame: Frame; readonly sentToDetector: boolean }
  | { readonly type: 'detections'; readonly frame: Frame; readonly detections: DetectionsXyxyPixels; readonly timing: DetectionTiming }
  | { readonly type: 'health'; readonly health: HealthEvent }
  | { readonly type: 'metrics'; readonly metrics: MetricsSnapshot };

export type LiveEventType = LiveEvent['type'];
