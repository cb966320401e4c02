/**
 * Sources `leukoscan serve` accepts: everything src/capture parses (a file,
 * rtsp://…, v4l2:///dev/videoN, test:PATTERN) plus `sim:` — a simulated slide
 * scan rendered from the BCCD data by src/sim, paced in real time.
 *
 *   sim:                         seed 1, 10 fps, 120 s
 *   sim:seed=3,fps=8,duration=300
 */
import { Observable, type SchedulerLike, asyncScheduler, from, switchMap } from 'rxjs';
import { frameEvent, healthEvent, type CaptureEvent } from '../capture/health.js';
import { parseSourceUri } from '../capture/source-uri.js';
import { buildScan, SCAN_DEFAULTS } from '../sim/scan.js';

export interface SimSourceSpec {
  readonly kind: 'sim';
  readonly uri: string;
  readonly seed: number;
  readonly fps: number;
  readonly durationS: number;
}

export const SIM_SOURCE_DEFAULTS = { seed: 1, fps: 10, durationS: 120 } as const;

const SIM_KEYS = { seed: 'seed', fps: 'fps', duration: 'durationS' } as const;

export function isSimUri(uri: string): boolean {
  return /^sim:/i.test(uri.trim());
}

export function parseSimUri(uri: string): SimSourceSpec {
  const text = uri.trim();
  if (!isSimUri(text)) throw new Error(`Bad source URI '${uri}': not a sim: URI`);
  const spec: { seed: number; fps: number; durationS: number } = { ...SIM_SOURCE_DEFAULTS };
  const rest = text.slice(4).replace(/^\/\//, '');
  if (rest.length > 0) {
    for (const part of rest.split(',')) {
      const [key, value] = part.split('=');
      const field = SIM_KEYS[key?.trim() as keyof typeof SIM_KEYS];
      const n = Number(value);
      if (field === undefined) throw new Error(`Bad source URI '${uri}': unknown sim option '${key}' (seed, fps, duration)`);
      if (!Number.isFinite(n) || n <= 0 || (field === 'seed' && !Number.isInteger(n))) {
        throw new Error(`Bad source URI '${uri}': ${key} must be a positive number, got '${value}'`);
      }
      if (field === 'fps' && n > 60) throw new Error(`Bad source URI '${uri}': fps must be at most 60`);
      spec[field] = n;
    }
  }
  return { kind: 'sim', uri: text, ...spec };
}

/** Throws with a message naming the problem when `uri` is not a source serve can open. */
export function validateServeSource(uri: string): void {
  if (isSimUri(uri)) parseSimUri(uri);
  else parseSourceUri(uri);
}

/**
 * A simulated scan as capture events: frames rendered lazily (one in memory
 * at a time) and emitted at the scan's fps, stamped with the wall clock as a
 * camera would be. Health: 'connected' on the first frame, 'fps' each second.
 * Completes at the end of the camera path; unsubscribing stops rendering.
 */
export function simulatedCapture(spec: SimSourceSpec, dataRoot: string, scheduler: SchedulerLike = asyncScheduler): Observable<CaptureEvent> {
  return from(
    buildScan({ ...SCAN_DEFAULTS, dataRoot, seed: spec.seed, fps: spec.fps, durationS: spec.durationS }),
  ).pipe(
    switchMap(
      (scan) =>
        new Observable<CaptureEvent>((subscriber) => {
          const frames = scan.frames();
          const periodMs = 1000 / spec.fps;
          let emitted = 0;
          let windowStart = scheduler.now();
          let windowFrames = 0;
          const action = scheduler.schedule(function tick() {
            const next = frames.next();
            if (next.done) {
              subscriber.complete();
              return;
            }
            const now = scheduler.now();
            if (emitted === 0) subscriber.next(healthEvent({ type: 'connected', source: spec.uri, attempt: 0, atMs: Date.now() }));
            subscriber.next(frameEvent({ ...next.value, seq: emitted, timestampMs: Date.now() }));
            emitted++;
            windowFrames++;
            if (now - windowStart >= 1000) {
              subscriber.next(healthEvent({ type: 'fps', source: spec.uri, fps: (windowFrames * 1000) / (now - windowStart), atMs: Date.now() }));
              windowStart = now;
              windowFrames = 0;
            }
            // Keep to the frame clock: the next frame is due one period after this one was due.
            this.schedule(undefined, Math.max(0, periodMs - (scheduler.now() - now)));
          });
          return () => action.unsubscribe();
        }),
    ),
  );
}
