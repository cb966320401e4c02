import { type Observable, type SchedulerLike, asyncScheduler, connect, defer, filter, from, map, merge, tap } from 'rxjs';
import { type CaptureOptions, capture } from '../capture/capture.js';
import type { CaptureEvent } from '../capture/health.js';
import type { SourceSpec } from '../capture/source-uri.js';
import type { Frame } from '../core/frame.js';
import type { Detector } from '../detect/detector.js';
import type { ColourTransform } from '../calibration/types.js';
import type { ColourNormaliseConfig, MetricsConfig } from './config.js';
import type { LiveEvent } from './live-types.js';
import { detectLatest } from './operators/detect-latest.js';
import { measureMetrics } from './operators/measure-metrics.js';
import { normaliseColour } from './operators/normalise-colour.js';
import { normaliseColourOffThread } from './operators/normalise-colour-off-thread.js';

export type { LiveEvent, DetectionTiming } from './live-types.js';
export type { MetricsSnapshot } from './metrics.js';

export interface LivePipelineOptions {
  /** Source URI (file path, rtsp://…, v4l2:///dev/videoN, test:PATTERN) or a parsed spec. */
  readonly source: string | SourceSpec;
  /** The detector; the caller owns it and releases it after unsubscribing. */
  readonly detector: Pick<Detector, 'detect' | 'card'>;
  /** Capture settings (size, fps, realtime, stall timeout, backoff…); defaults in src/capture/config.ts. */
  readonly capture?: Omit<CaptureOptions, 'scheduler'>;
  /** Colour normalisation to the model card's colourReference; `false` turns it off. */
  readonly normalise?: Partial<ColourNormaliseConfig> | false;
  /** Colour correction in a worker thread (normaliseColourOffThread: same pixels, off the event loop); default: on this thread. */
  readonly colourOffThread?: boolean;
  /** Metrics events; `false` turns them off. */
  readonly metrics?: Partial<MetricsConfig> | false;
  /** Timers and clock (TestScheduler in tests). */
  readonly scheduler?: SchedulerLike;
  /** Replaces ffmpeg capture (tests, or a caller that already has frames). */
  readonly events?: Observable<CaptureEvent>;
  /**
   * The device calibration (src/detect/calibrated-detector.ts `liveCalibration`): it is shown the
   * captured frames before colour correction (so it never measures its own correction), and its
   * colour transform, once it has one, replaces the white balance of the colour stage.
   */
  readonly calibration?: LiveCalibration;
}

/** What the live pipeline needs of a device calibration. */
export interface LiveCalibration {
  /** Must not block: e.g. hands the frame to a worker, or drops it while one is measured. */
  observe(frame: Frame): void;
  colour(): ColourTransform | null;
}

/**
 * The whole live pipeline: capture -> colour normalisation -> detect (latest frame wins),
 * as an Observable of typed LiveEvents. Nothing runs until subscribed; unsubscribing ends
 * ffmpeg and cancels the detection in flight (the detector itself stays with the caller).
 *
 *   const sub = livePipeline({ source: 'v4l2:///dev/video0', detector }).subscribe((e) => {
 *     if (e.type === 'detections') draw(e.frame, e.detections);
 *   });
 */
export function livePipeline(options: LivePipelineOptions): Observable<LiveEvent> {
  return defer(() => {
    const scheduler = options.scheduler ?? asyncScheduler;
    const events$ = options.events ?? capture(options.source, { ...options.capture, scheduler });
    const cal = options.calibration;
    const colour = cal === undefined ? {} : { transform: () => cal.colour() };
    const correct = options.colourOffThread === true ? normaliseColourOffThread : normaliseColour;
    const normalise = options.normalise === false ? (f: Observable<Frame>) => f : correct(options.detector.card.colourReference, options.normalise ?? {}, colour);

    const live$ = events$.pipe(
      connect((shared) =>
        merge(
          shared.pipe(
            filter((e): e is Extract<CaptureEvent, { kind: 'health' }> => e.kind === 'health'),
            map((e): LiveEvent => ({ type: 'health', health: e.health })),
          ),
          shared.pipe(
            filter((e): e is Extract<CaptureEvent, { kind: 'frame' }> => e.kind === 'frame'),
            map((e) => e.frame),
            tap((frame) => cal?.observe(frame)),
            normalise,
            detectLatest((frame: Frame) => from(options.detector.detect(frame)), { scheduler }),
            map((e): LiveEvent => {
              if (e.kind === 'item') return { type: 'frame', frame: e.item, sentToDetector: e.sentToDetector };
              const publishedMs = e.finishedMs;
              return {
                type: 'detections',
                frame: e.item,
                detections: e.result,
                timing: {
                  arrivalMs: e.item.timestampMs,
                  startedMs: e.startedMs,
                  publishedMs,
                  latencyMs: publishedMs - e.item.timestampMs,
                  detectMs: publishedMs - e.startedMs,
                },
              };
            }),
          ),
        ),
      ),
    );
    return options.metrics === false ? live$ : live$.pipe(measureMetrics({ ...options.metrics, scheduler }));
  });
}
