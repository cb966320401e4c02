/**
 * The `auto` calibration source for live sources: the core's Calibrator in a worker thread
 * (src/detect/calibrate-worker.ts). `observe()` never blocks: a frame arriving while the worker is
 * still measuring the last one is not sent (latest wins, counted in `skipped`); `current` is the
 * state the worker last reported. `reset()` restarts it; answers to frames sent before are dropped.
 */
import type { Worker } from 'node:worker_threads';
import { startWorker } from '../core/start-worker.js';
import type { Frame } from '../core/frame.js';
import type { CalibrationState, CalibratorOptions } from '../calibration/calibrator.js';
import { readingOf } from './auto-calibrator.js';
import type { CalibrationReading, FrameCalibrator } from './calibration-state.js';

export type CalibratorToWorker =
  | { readonly type: 'push'; readonly generation: number; readonly seq: number; readonly width: number; readonly height: number; readonly rgb: Uint8Array }
  | { readonly type: 'recalibrate'; readonly generation: number };

export type CalibratorFromWorker =
  | { readonly type: 'state'; readonly generation: number; readonly state: CalibrationState }
  | { readonly type: 'error'; readonly generation: number; readonly message: string };

const START: CalibrationState = { status: 'calibrating', source: 'estimated', profile: null, frames: 0, goodEstimates: 0, lastError: null };

export class WorkerCalibrator implements FrameCalibrator {
  readonly #worker: Worker;
  readonly #withColour: boolean;
  #state: CalibrationState = START;
  #generation = 0;
  #busy = false;
  #error: string | null = null;
  #released = false;
  /** Frames not sent because the worker was still measuring. */
  skipped = 0;
  /** Called after each state the worker reports (tests, logs). */
  onState: ((s: CalibrationState) => void) | null = null;

  constructor(options: CalibratorOptions & { readonly withColour?: boolean }) {
    const { withColour, ...calibratorOptions } = options;
    this.#withColour = withColour ?? true;
    // bundled: no tsx loader in the worker (~24 MB less RSS); the calibrator imports no npm package
    this.#worker = startWorker(import.meta.url, './calibrate-worker', { options: calibratorOptions }, { selfContained: true });
    this.#worker.unref(); // a calibrator never keeps the process alive
    this.#worker.on('message', (m: CalibratorFromWorker) => {
      if (m.generation !== this.#generation) return; // from before a reset
      this.#busy = false;
      if (m.type === 'error') this.#error = m.message;
      else this.#state = m.state;
      this.onState?.(this.#state);
    });
    this.#worker.on('error', (err) => {
      this.#error = `calibrator worker failed: ${err.message}`;
      this.#busy = false;
    });
  }

  get current(): CalibrationReading {
    const r = readingOf(this.#state, this.#withColour);
    return this.#error === null ? r : { ...r, message: this.#error };
  }

  observe(frame: Frame): void {
    if (this.#released) return;
    if (this.#busy) {
      this.skipped++;
      return;
    }
    this.#busy = true;
    const rgb = new Uint8Array(frame.rgb); // copy: the pipeline keeps its buffer
    const msg: CalibratorToWorker = { type: 'push', generation: this.#generation, seq: frame.seq, width: frame.width, height: frame.height, rgb };
    this.#worker.postMessage(msg, [rgb.buffer]);
  }

  reset(): void {
    this.#generation++;
    this.#busy = false;
    this.#state = START;
    this.#error = null;
    if (!this.#released) this.#worker.postMessage({ type: 'recalibrate', generation: this.#generation } satisfies CalibratorToWorker);
  }

  async release(): Promise<void> {
    if (this.#released) return;
    this.#released = true;
    await this.#worker.terminate();
  }
}
