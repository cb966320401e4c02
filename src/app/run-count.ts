import { Subject, type Observable } from 'rxjs';
import type { CaptureEvent } from '../capture/health.js';
import type { Frame } from '../core/frame.js';
import type { Detector } from '../detect/detector.js';
import type { ColourNormaliseConfig } from '../pipeline/config.js';
import { type LiveCalibration, livePipeline } from '../pipeline/live-pipeline.js';
import type { LiveEvent } from '../pipeline/live-types.js';
import type { TrackConfigInput } from '../track/config.js';
import { countedCellsOf } from '../track/counter.js';
import { SlideCounter } from '../track/slide-counter.js';
import { startsSegment, type CountedCell, type CountUpdate } from '../track/types.js';

export interface FrameStats {
  read: number;
  detected: number;
  skipped: number;
}

export interface CountRunResult {
  /** The last update (null if the source had no frames). */
  readonly last: CountUpdate | null;
  readonly cells: CountedCell[];
  readonly frames: FrameStats;
  /** segment -> seq of its first frame. */
  readonly segmentStarts: ReadonlyMap<number, number>;
}

interface Collector {
  handle(e: LiveEvent): CountUpdate | null;
  result(): CountRunResult;
}

function collector(track: TrackConfigInput, onUpdate?: (u: CountUpdate) => void): Collector {
  const counter = new SlideCounter(track);
  const frames: FrameStats = { read: 0, detected: 0, skipped: 0 };
  const segmentStarts = new Map<number, number>();
  let last: CountUpdate | null = null;
  return {
    handle(e) {
      if (e.type !== 'frame' && e.type !== 'detections') return null;
      if (e.type === 'frame') {
        frames.read++;
        if (!e.sentToDetector) frames.skipped++;
      } else {
        frames.detected++;
      }
      const u = counter.update({ frame: e.frame, detections: e.type === 'detections' ? e.detections : null });
      if (e.type === 'frame' && startsSegment(u.frame)) segmentStarts.set(u.frame.segment, e.frame.seq);
      last = u;
      onUpdate?.(u);
      return u;
    },
    result() {
      return { last, cells: last ? countedCellsOf((last as CountUpdate).frame) : [], frames: { ...frames }, segmentStarts };
    },
  };
}

export interface RunCountOptions {
  /** Finite frames, pulled one at a time. */
  readonly frames: AsyncIterable<Frame> | Iterable<Frame>;
  /** Names the source in the pipeline's health events and errors. */
  readonly sourceLabel: string;
  readonly detector: Pick<Detector, 'detect' | 'card'>;
  readonly normalise?: Partial<ColourNormaliseConfig> | false;
  /** The device calibration, shown the captured frames (src/pipeline/live-pipeline.ts). */
  readonly calibration?: LiveCalibration;
  readonly track?: TrackConfigInput;
  readonly onUpdate?: (u: CountUpdate) => void;
}

/**
 * Counts a finite source with the live pipeline (colour normalisation, the
 * detector, registration, counting) so that EVERY frame reaches the detector:
 * the next frame is handed in only when the previous one's detections are back
 * (the detector is never busy when a frame arrives, so detectLatest skips none).
 */
export async function runCountEveryFrame(options: RunCountOptions): Promise<CountRunResult> {
  const events$ = new Subject<CaptureEvent>();
  const c = collector(options.track ?? {}, options.onUpdate);
  let waiting: { seq: number; resolve: () => void } | null = null;
  let failure: unknown = null;
  let rejectAll: (err: unknown) => void = () => {};
  const failed = new Promise<never>((_, reject) => (rejectAll = reject));
  failed.catch(() => {});
  let completeResolve: () => void = () => {};
  const completed = new Promise<void>((resolve) => (completeResolve = resolve));
  const sub = livePipeline({ source: options.sourceLabel, detector: options.detector, normalise: options.normalise, calibration: options.calibration, metrics: false, events: events$ }).subscribe({
    next: (e) => {
      try {
        c.handle(e);
      } catch (err) {
        failure = err;
        rejectAll(err);
        return;
      }
      if (e.type === 'detections' && waiting && e.frame.seq === waiting.seq) {
        const w = waiting;
        waiting = null;
        w.resolve();
      }
    },
    error: (err) => {
      failure = err;
      rejectAll(err);
    },
    complete: () => completeResolve(),
  });
  try {
    for await (const frame of options.frames) {
      if (failure) throw failure;
      const detected = new Promise<void>((resolve) => (waiting = { seq: frame.seq, resolve }));
      events$.next({ kind: 'frame', frame });
      await Promise.race([detected, failed]);
    }
    events$.complete();
    await Promise.race([completed, failed]);
    return c.result();
  } finally {
    sub.unsubscribe();
  }
}

/**
 * Counts whatever a live (or realtime) pipeline delivers until it completes or
 * `stop` resolves; frames that arrive while the detector is busy are skipped.
 */
export async function runCountLive(
  live$: Observable<LiveEvent>,
  track: TrackConfigInput = {},
  onUpdate?: (u: CountUpdate) => void,
  stop?: Promise<void>,
): Promise<CountRunResult> {
  const c = collector(track, onUpdate);
  let sub: { unsubscribe(): void } | null = null;
  try {
    await new Promise<void>((resolve, reject) => {
      sub = live$.subscribe({
        next: (e) => {
          try {
            c.handle(e);
          } catch (err) {
            reject(err);
          }
        },
        error: reject,
        complete: resolve,
      });
      stop?.then(resolve);
    });
  } finally {
    (sub as { unsubscribe(): void } | null)?.unsubscribe();
  }
  return c.result();
}
