/**
 * The stage registration of a live scan in a worker thread (registration-worker.ts), so that its
 * per-frame phase correlation does not block the server's event loop. The worker runs the same
 * Registrar (src/track/registration/registrar.ts) on the same frames in the same order as the
 * slide counter would, so the registrations are the same numbers; the counter is given them
 * (SlideCounter's `registration`) and does the rest (registry, counter) as before.
 *
 * Frames are registered in the order they are sent; a frame's count must wait for its
 * registration, and every later frame's count for the earlier ones': `schedule()` keeps that
 * order. At most `maxPending` frames wait for the worker: past that, frames that may be left out
 * (no detection will come for them) are not registered and counted as dropped (latest frame wins,
 * a bounded queue). The owner (the scan session) calls `release()`, which terminates the worker.
 */
import type { Worker } from 'node:worker_threads';
import type { Frame } from '../core/frame.js';
import { startWorker } from '../core/start-worker.js';
import type { RegistrationConfig } from '../track/config.js';
import type { FrameRegistration } from '../track/types.js';

export interface RegistrationWorkerInit {
  readonly config: RegistrationConfig;
}
export type RegistrationRequest =
  | { readonly type: 'register'; readonly seq: number; readonly timestampMs: number; readonly width: number; readonly height: number; readonly rgb: ArrayBuffer }
  | { readonly type: 'reset' };
export type RegistrationReply =
  | { readonly type: 'ready' }
  | { readonly type: 'registered'; readonly seq: number; readonly registration: FrameRegistration }
  | { readonly type: 'failed'; readonly seq: number; readonly message: string };

/** Frames waiting for the worker beyond which droppable frames are left out (about 0.8 s at 10 fps). */
export const DEFAULT_MAX_PENDING_REGISTRATIONS = 8;

export interface OffThreadRegistrarOptions {
  /** The slide counter's registration configuration (SlideCounter.config.registration). */
  readonly config: RegistrationConfig;
  readonly maxPending?: number;
}

interface Pending {
  readonly seq: number;
  resolve(registration: FrameRegistration): void;
  reject(err: Error): void;
}

export class OffThreadRegistrar {
  private readonly worker: Worker;
  private readonly maxPending: number;
  /** Sent, not yet answered, oldest first (the worker answers in order). */
  private readonly pending: Pending[] = [];
  /** The newest frame sent since the last reset: older ones were registered already (or left out). */
  private lastSentSeq = -Infinity;
  /** Every count waits for the one scheduled before it. */
  private chain: Promise<void> = Promise.resolve();
  private failure: Error | null = null;
  private failureReported = false;
  private released = false;
  /** Frames left out because the worker was `maxPending` frames behind. */
  dropped = 0;

  /** Starts the worker; frames sent before it is ready wait in its queue. */
  constructor(options: OffThreadRegistrarOptions) {
    this.maxPending = options.maxPending ?? DEFAULT_MAX_PENDING_REGISTRATIONS;
    this.worker = startWorker(import.meta.url, './registration-worker', { config: options.config } satisfies RegistrationWorkerInit, { selfContained: true });
    this.worker.on('message', (message: RegistrationReply) => this.onReply(message));
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', (code) => this.fail(new Error(`the registration worker exited (code ${code})`)));
  }

  /**
   * Runs `apply` with this frame's registration (undefined when the frame was sent before: the
   * counter has it) after every earlier scheduled call, or leaves the frame out when the worker is
   * behind and `droppable`. Errors (a frame the registrar cannot take, a dead worker) go to `onError`.
   */
  schedule(frame: Frame, options: { readonly droppable: boolean }, apply: (registration: FrameRegistration | undefined) => void, onError: (err: Error) => void): void {
    if (this.failure !== null) {
      // reported once: every later frame would fail the same way
      if (!this.failureReported) onError(this.failure);
      this.failureReported = true;
      return;
    }
    let registration: Promise<FrameRegistration> | undefined;
    if (frame.seq > this.lastSentSeq) {
      if (options.droppable && this.pending.length >= this.maxPending) {
        this.dropped++;
        return;
      }
      registration = this.send(frame);
    }
    this.chain = this.chain
      .then(async () => apply(registration === undefined ? undefined : await registration))
      .catch((err: Error) => {
        // frames still waiting when the owner releases the worker are dropped quietly
        if (!this.released) onError(err);
      });
  }

  /** A new scan: the worker starts a new Registrar; frames sent before are still answered by the old one. */
  reset(): void {
    this.lastSentSeq = -Infinity;
    if (!this.released && this.failure === null) this.worker.postMessage({ type: 'reset' } satisfies RegistrationRequest);
  }

  /** Terminates the worker; waiting registrations reject. */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.fail(new Error('the registration worker was released'));
    await this.worker.terminate();
  }

  private send(frame: Frame): Promise<FrameRegistration> {
    this.lastSentSeq = frame.seq;
    // A copy of its own (the frame's bytes may be a view into a larger buffer), moved to the worker.
    const rgb = frame.rgb.slice();
    const request: RegistrationRequest = { type: 'register', seq: frame.seq, timestampMs: frame.timestampMs, width: frame.width, height: frame.height, rgb: rgb.buffer };
    return new Promise<FrameRegistration>((resolve, reject) => {
      this.pending.push({ seq: frame.seq, resolve, reject });
      this.worker.postMessage(request, [rgb.buffer]);
    });
  }

  private onReply(message: RegistrationReply): void {
    if (message.type === 'ready') return;
    const waiting = this.pending.shift();
    if (waiting === undefined || waiting.seq !== message.seq) {
      this.fail(new Error(`the registration worker answered frame ${message.seq}, expected ${waiting?.seq ?? 'none'}`));
      return;
    }
    if (message.type === 'registered') waiting.resolve(message.registration);
    else waiting.reject(new Error(message.message));
  }

  private fail(err: Error): void {
    if (this.failure === null) this.failure = err;
    for (const p of this.pending.splice(0)) p.reject(this.failure);
  }
}
