import type { Frame } from '../core/frame.js';

/** Health of a capture source, as a discriminated union on `type`. */
export type HealthEvent =
  /** ffmpeg delivered the first frame of an attempt. */
  | { readonly type: 'connected'; readonly source: string; readonly attempt: number; readonly atMs: number }
  /** A live source delivered no frame for `silentMs`; it is being restarted. */
  | { readonly type: 'stalled'; readonly source: string; readonly silentMs: number; readonly atMs: number }
  /** The last attempt failed or ended; the next starts after `delayMs`. */
  | {
      readonly type: 'reconnecting';
      readonly source: string;
      /** 1 for the first retry after a failure, growing while failures continue. */
      readonly attempt: number;
      readonly delayMs: number;
      /** Why the last attempt ended, in words for the user. */
      readonly reason: string;
      readonly atMs: number;
    }
  /** Frames per second measured over the last interval. */
  | { readonly type: 'fps'; readonly source: string; readonly fps: number; readonly atMs: number };

export type HealthType = HealthEvent['type'];

/** What a capture Observable emits: every frame, and health events between them. */
export type CaptureEvent = { readonly kind: 'frame'; readonly frame: Frame } | { readonly kind: 'health'; readonly health: HealthEvent };

export function frameEvent(frame: Frame): CaptureEvent {
  return { kind: 'frame', frame };
}

export function healthEvent(health: HealthEvent): CaptureEvent {
  return { kind: 'health', health };
}

export function describeHealth(h: HealthEvent): string {
  switch (h.type) {
    case 'connected':
      return `connected to ${h.source}${h.attempt > 0 ? ` (after ${h.attempt} retr${h.attempt === 1 ? 'y' : 'ies'})` : ''}`;
    case 'stalled':
      return `${h.source} stalled: no frame for ${(h.silentMs / 1000).toFixed(1)} s`;
    case 'reconnecting':
      return `reconnecting to ${h.source} in ${(h.delayMs / 1000).toFixed(1)} s (attempt ${h.attempt}): ${h.reason}`;
    case 'fps':
      return `${h.source}: ${h.fps.toFixed(1)} fps`;
  }
}
