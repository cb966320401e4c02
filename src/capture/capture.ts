import { existsSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { Observable, type SchedulerLike, asyncScheduler, defer, throwError } from 'rxjs';
import type { Frame } from '../core/frame.js';
import { type CaptureConfig, DEFAULT_CAPTURE_CONFIG } from './config.js';
import { CaptureError } from './errors.js';
import { ffmpegFrames } from './ffmpeg-frames.js';
import { fpsHealth } from './fps-health.js';
import type { CaptureEvent } from './health.js';
import { withReconnect } from './reconnect.js';
import { type SourceSpec, isLiveSource, parseSourceUri } from './source-uri.js';

export interface CaptureOptions extends Partial<CaptureConfig> {
  /** Timers (watchdog, backoff, fps). */
  readonly scheduler?: SchedulerLike;
  /** Frame timestamps, ms since the Unix epoch. */
  readonly now?: () => number;
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Each line ffmpeg writes to stderr (at log level error: decoder and demuxer errors). */
  readonly onStderr?: (line: string) => void;
}

/**
 * Capture from a source URI (file path, rtsp://, v4l2:///dev/videoN, test:PATTERN) as an
 * Observable of frames and health events. Nothing runs until subscribed; unsubscribing
 * ends ffmpeg (SIGTERM, then SIGKILL). Live sources reconnect with backoff forever by
 * default; files complete at their end and fail with a CaptureError naming the file.
 */
export function capture(source: string | SourceSpec, options: CaptureOptions = {}): Observable<CaptureEvent> {
  return defer(() => {
    const spec = typeof source === 'string' ? parseSourceUri(source) : source;
    const config: CaptureConfig = { ...DEFAULT_CAPTURE_CONFIG, ...definedOnly(options) };
    const scheduler = options.scheduler ?? asyncScheduler;
    const now = options.now ?? Date.now;
    let nextSeq = 0;

    const attempt = (): Observable<Frame> => {
      if (spec.kind === 'v4l2' && !existsSync(spec.device)) {
        return throwError(() => new CaptureError(spec.uri, `camera ${spec.device} not found (is it plugged in? run \`leukoscan devices\`)`));
      }
      if (spec.kind === 'file' && !existsSync(spec.path)) {
        return throwError(() => new CaptureError(spec.uri, `file not found: ${spec.path}`, [], true));
      }
      return new Observable<Frame>((subscriber) =>
        ffmpegFrames(spec, { config, firstSeq: nextSeq, now, onSpawn: options.onSpawn, onStderr: options.onStderr }).subscribe({
          next: (frame) => {
            nextSeq = frame.seq + 1;
            subscriber.next(frame);
          },
          error: (err) => subscriber.error(err),
          complete: () => subscriber.complete(),
        }),
      );
    };

    return withReconnect(attempt, {
      source: spec.uri,
      live: isLiveSource(spec),
      stallTimeoutMs: config.stallTimeoutMs,
      firstFrameTimeoutMs: config.firstFrameTimeoutMs,
      backoff: { initialMs: config.backoffInitialMs, factor: config.backoffFactor, maxMs: config.backoffMaxMs },
      maxAttempts: config.maxReconnectAttempts,
      scheduler,
    }).pipe(fpsHealth({ source: spec.uri, intervalMs: config.fpsIntervalMs, scheduler }));
  });
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
