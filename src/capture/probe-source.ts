/**
 * Can this source be used? Opens it and reads one frame within a time limit, then lets it go
 * (ffmpeg ends on unsubscribe). Used before switching a running scan to a new source, so a typo
 * is refused while the current source goes on.
 */
import { filter, firstValueFrom, take, timeout } from 'rxjs';
import { capture, type CaptureOptions } from './capture.js';
import { redactUri } from './redact-uri.js';

export interface ProbeOptions extends Omit<CaptureOptions, 'maxReconnectAttempts' | 'firstFrameTimeoutMs'> {
  /** Longest wait for the first frame (connect, probe, first keyframe). */
  readonly timeoutMs: number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;

/** Resolves once the source delivered a frame; rejects with the reason in words (credentials redacted). */
export async function probeSource(source: string, options: ProbeOptions): Promise<void> {
  const { timeoutMs, ...captureOptions } = options;
  const seconds = (timeoutMs / 1000).toFixed(1);
  try {
    await firstValueFrom(
      capture(source, { ...captureOptions, realtime: false, maxReconnectAttempts: 0, firstFrameTimeoutMs: timeoutMs }).pipe(
        filter((e) => e.kind === 'frame'),
        take(1),
        timeout({ first: timeoutMs, with: () => Promise.reject(new Error(`no frame within ${seconds} s`)) }),
      ),
    );
  } catch (err) {
    const message = (err as Error).name === 'EmptyError' ? 'the source ended before its first frame' : (err as Error).message;
    throw new Error(redactUri(message));
  }
}
