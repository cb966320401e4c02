/**
 * Worker thread that renders a simulated scan (src/sim) one frame per request,
 * so the renderer (a blur over each 640x480 frame) never runs on the server's
 * event loop. Messages: see SimWorkerMessage / SimWorkerRequest in sim-source.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { SCAN_DEFAULTS, buildScan } from './scan.js';
import type { SimWorkerInit, SimWorkerMessage, SimWorkerRequest } from './sim-source.js';

const port = parentPort;
if (port === null) throw new Error('sim-worker.ts must run in a worker thread');
const init = workerData as SimWorkerInit;
const post = (message: SimWorkerMessage, transfer: ArrayBuffer[] = []) => port.postMessage(message, transfer);

try {
  const scan = await buildScan({ ...SCAN_DEFAULTS, dataRoot: init.dataRoot, seed: init.seed, fps: init.fps, durationS: init.durationS });
  const frames = scan.frames();
  port.on('message', (request: SimWorkerRequest) => {
    if (request.type !== 'next') return;
    try {
      const next = frames.next();
      if (next.done) {
        post({ type: 'end' });
        return;
      }
      const f = next.value;
      // Copy into a buffer of its own so it can be transferred without copying again.
      const rgb = new Uint8Array(f.rgb);
      post({ type: 'frame', width: f.width, height: f.height, rgb: rgb.buffer }, [rgb.buffer]);
    } catch (err) {
      post({ type: 'error', message: (err as Error).message });
    }
  });
  post({ type: 'ready' });
} catch (err) {
  post({ type: 'error', message: (err as Error).message });
}
