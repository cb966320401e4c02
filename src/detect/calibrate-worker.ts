/**
 * The worker thread that runs the calibration core's Calibrator for a live source, so that its
 * measurements (100-300 ms per 640x480 frame on a loaded 2-core machine) never block the event
 * loop. Messages: src/detect/worker-calibrator.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Calibrator, type CalibratorOptions } from '../calibration/calibrator.js';
import type { CalibratorFromWorker, CalibratorToWorker } from './worker-calibrator.js';

const port = parentPort;
if (!port) throw new Error('calibrate-worker must run in a worker thread');
const calibrator = new Calibrator((workerData as { options: CalibratorOptions }).options);

port.on('message', (msg: CalibratorToWorker) => {
  if (msg.type === 'recalibrate') {
    port.postMessage({ type: 'state', generation: msg.generation, state: calibrator.recalibrate() } satisfies CalibratorFromWorker);
    return;
  }
  let state;
  try {
    state = calibrator.push({ seq: msg.seq, timestampMs: 0, width: msg.width, height: msg.height, rgb: msg.rgb });
  } catch (err) {
    port.postMessage({ type: 'error', generation: msg.generation, message: err instanceof Error ? err.message : String(err) } satisfies CalibratorFromWorker);
    return;
  }
  port.postMessage({ type: 'state', generation: msg.generation, state } satisfies CalibratorFromWorker);
});
