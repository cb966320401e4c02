/**
 * normaliseColour in a worker thread (src/pipeline/colour-worker.ts), for a server whose
 * event loop must stay responsive: the same correction (src/colour/frame-corrector.ts), the same pixels, in
 * the same order, a few milliseconds later. The transform is asked on this thread when a frame
 * arrives, as normaliseColour does. Each subscription starts its own worker and its teardown
 * terminates it.
 *
 * Bounded: at most `maxInFlight` frames wait for the worker; a frame arriving past that is left
 * out (the latest frames win; the worker is behind only when the machine is overloaded).
 */
import { type MonoTypeOperatorFunction, Observable } from 'rxjs';
import type { Frame } from '../../core/frame.js';
import { startWorker } from '../../core/start-worker.js';
import type { ColourTransform } from '../../calibration/types.js';
import type { ColourReference } from '../../colour/calibration.js';
import type { ColourNormaliseConfig } from '../config.js';
import type { NormaliseColourOptions } from './normalise-colour.js';

export interface ColourWorkerInit {
  readonly reference: ColourReference;
  readonly config: Partial<ColourNormaliseConfig>;
}
export interface ColourWorkerRequest {
  readonly seq: number;
  readonly timestampMs: number;
  readonly width: number;
  readonly height: number;
  readonly rgb: ArrayBuffer;
  readonly transform: ColourTransform | null;
}
export type ColourWorkerReply =
  | { readonly type: 'ready' }
  | { readonly type: 'frame'; readonly seq: number; readonly rgb: ArrayBuffer }
  | { readonly type: 'error'; readonly seq: number; readonly message: string };

/** Frames waiting for the worker past which new ones are left out (0.4 s at 10 fps). */
export const DEFAULT_COLOUR_MAX_IN_FLIGHT = 4;

export interface NormaliseColourOffThreadOptions extends NormaliseColourOptions {
  readonly maxInFlight?: number;
}

export function normaliseColourOffThread(
  reference: ColourReference,
  config: Partial<ColourNormaliseConfig> = {},
  options: NormaliseColourOffThreadOptions = {},
): MonoTypeOperatorFunction<Frame> {
  const maxInFlight = options.maxInFlight ?? DEFAULT_COLOUR_MAX_IN_FLIGHT;
  return (source) =>
    new Observable<Frame>((subscriber) => {
      const worker = startWorker(import.meta.url, '../colour-worker', { reference, config } satisfies ColourWorkerInit, { selfContained: true });
      /** Sent, not yet answered, oldest first. */
      const inFlight: Frame[] = [];
      let sourceDone = false;
      let closed = false;
      const fail = (err: Error) => {
        if (closed) return;
        closed = true;
        subscriber.error(err);
      };
      worker.on('message', (reply: ColourWorkerReply) => {
        if (reply.type === 'ready' || closed) return;
        const frame = inFlight.shift();
        if (frame === undefined || frame.seq !== reply.seq) return fail(new Error(`colour worker answered frame ${reply.seq}, expected ${frame?.seq ?? 'none'}`));
        if (reply.type === 'error') return fail(new Error(reply.message));
        subscriber.next({ ...frame, rgb: new Uint8Array(reply.rgb) });
        if (sourceDone && inFlight.length === 0) {
          closed = true;
          subscriber.complete();
        }
      });
      worker.on('error', (err) => fail(new Error(`colour worker failed: ${err.message}`)));
      worker.on('exit', (code) => fail(new Error(`colour worker exited (code ${code})`)));

      const sub = source.subscribe({
        next: (frame) => {
          if (closed || inFlight.length >= maxInFlight) return;
          let transform: ColourTransform | null;
          try {
            transform = options.transform?.() ?? null;
          } catch (err) {
            return fail(err as Error);
          }
          // a copy of its own (the frame's bytes may be a view into a larger buffer), moved to the worker
          const rgb = frame.rgb.slice();
          inFlight.push(frame);
          const request: ColourWorkerRequest = { seq: frame.seq, timestampMs: frame.timestampMs, width: frame.width, height: frame.height, rgb: rgb.buffer, transform };
          worker.postMessage(request, [rgb.buffer]);
        },
        error: (err) => fail(err as Error),
        complete: () => {
          sourceDone = true;
          if (inFlight.length === 0 && !closed) {
            closed = true;
            subscriber.complete();
          }
        },
      });
      return () => {
        closed = true;
        sub.unsubscribe();
        void worker.terminate();
      };
    });
}
