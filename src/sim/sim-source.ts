/**
 * The `sim:` source of `leukoscan serve` as capture events: a simulated slide
 * scan (src/sim) rendered in a worker thread, one frame ahead, and emitted on
 * the scan's frame clock, stamped with the wall clock as a camera would be.
 * If rendering is slower than the frame rate, frames come as fast as they are
 * rendered (like a slow camera). Health: 'connected' on the first frame,
 * 'fps' each second. Completes at the end of the camera path; unsubscribing
 * terminates the worker.
 */
import { Observable } from 'rxjs';
import { frameEvent, healthEvent, type CaptureEvent } from '../capture/health.js';
import { startWorker } from '../core/start-worker.js';

export interface SimWorkerInit {
  readonly dataRoot: string;
  readonly seed: number;
  readonly fps: number;
  readonly durationS: number;
}
export type SimWorkerRequest = { readonly type: 'next' };
export type SimWorkerMessage =
  | { readonly type: 'ready' }
  | { readonly type: 'frame'; readonly width: number; readonly height: number; readonly rgb: ArrayBuffer }
  | { readonly type: 'end' }
  | { readonly type: 'error'; readonly message: string };

/** How often an 'fps' health event is emitted. */
const FPS_INTERVAL_MS = 1000;


/** A `sim:` source URI, parsed (src/stream/sources.ts parses it). */
export interface SimSourceSpec {
  readonly kind: 'sim';
  readonly uri: string;
  readonly seed: number;
  readonly fps: number;
  readonly durationS: number;
}

export function simulatedCapture(spec: SimSourceSpec, dataRoot: string): Observable<CaptureEvent> {
  return new Observable<CaptureEvent>((subscriber) => {
    const init: SimWorkerInit = { dataRoot, seed: spec.seed, fps: spec.fps, durationS: spec.durationS };
    const worker = startWorker(import.meta.url, './sim-worker', init);
    const periodMs = 1000 / spec.fps;
    let closed = false;
    let requested = false;
    let ended = false;
    let ready: { width: number; height: number; rgb: Uint8Array } | null = null;
    let dueAt = 0;
    let timer: NodeJS.Timeout | null = null;
    let emitted = 0;
    let windowStart = performance.now();
    let windowFrames = 0;

    const fail = (message: string) => {
      if (closed) return;
      closed = true;
      subscriber.error(new Error(`simulated source ${spec.uri}: ${message}`));
    };
    const request = () => {
      if (requested || ended || closed) return;
      requested = true;
      worker.postMessage({ type: 'next' } satisfies SimWorkerRequest);
    };
    const emit = () => {
      if (ready === null || timer !== null || closed) return;
      const now = performance.now();
      const wait = dueAt - now;
      if (wait > 1) {
        timer = setTimeout(() => {
          timer = null;
          emit();
        }, wait);
        return;
      }
      const frame = ready;
      ready = null;
      if (emitted === 0) subscriber.next(healthEvent({ type: 'connected', source: spec.uri, attempt: 0, atMs: Date.now() }));
      subscriber.next(frameEvent({ seq: emitted, timestampMs: Date.now(), ...frame }));
      emitted++;
      windowFrames++;
      // Next frame due one period later; never bank more than one period of lateness.
      dueAt = Math.max(dueAt + periodMs, now);
      if (now - windowStart >= FPS_INTERVAL_MS) {
        subscriber.next(healthEvent({ type: 'fps', source: spec.uri, fps: (windowFrames * 1000) / (now - windowStart), atMs: Date.now() }));
        windowStart = now;
        windowFrames = 0;
      }
      if (ended) {
        closed = true;
        subscriber.complete();
        return;
      }
      request();
    };

    worker.on('message', (message: SimWorkerMessage) => {
      switch (message.type) {
        case 'ready':
          dueAt = performance.now();
          request();
          return;
        case 'frame':
          requested = false;
          ready = { width: message.width, height: message.height, rgb: new Uint8Array(message.rgb) };
          emit();
          return;
        case 'end':
          requested = false;
          ended = true;
          if (ready === null && !closed) {
            closed = true;
            subscriber.complete();
          }
          return;
        case 'error':
          fail(message.message);
          return;
      }
    });
    worker.on('error', (err) => fail(err.message));
    worker.on('exit', (code) => {
      if (!closed && !ended) fail(`the renderer exited (code ${code})`);
    });

    return () => {
      closed = true;
      if (timer !== null) clearTimeout(timer);
      void worker.terminate();
    };
  });
}
