/**
 * Worker thread of normaliseColourOffThread: one stream's colour correction (src/colour/frame-corrector.ts:
 * the LUT builds, ~30-45 ms each, and the per-pixel table reads, ~3-6 ms a 640x480 frame), off the
 * event loop. Frames are answered in the order they come. Messages: see ColourWorkerRequest /
 * ColourWorkerReply in src/pipeline/operators/normalise-colour-off-thread.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { ColourWorkerInit, ColourWorkerReply, ColourWorkerRequest } from './operators/normalise-colour-off-thread.js';
import { frameCorrector } from '../colour/frame-corrector.js';

const port = parentPort;
if (port === null) throw new Error('colour-worker.ts must run in a worker thread');
const init = workerData as ColourWorkerInit;
const correct = frameCorrector(init.reference, init.config);

port.on('message', (request: ColourWorkerRequest) => {
  const { seq, timestampMs, width, height } = request;
  let reply: ColourWorkerReply;
  let transfer: ArrayBuffer[] = [];
  try {
    const out = correct({ seq, timestampMs, width, height, rgb: new Uint8Array(request.rgb) }, request.transform);
    // the corrected pixels in a buffer of their own, moved back without a copy
    const rgb = out.rgb.byteOffset === 0 && out.rgb.byteLength === out.rgb.buffer.byteLength ? out.rgb : out.rgb.slice();
    reply = { type: 'frame', seq, rgb: rgb.buffer as ArrayBuffer };
    transfer = [reply.rgb];
  } catch (err) {
    reply = { type: 'error', seq, message: (err as Error).message };
  }
  port.postMessage(reply, transfer);
});
port.postMessage({ type: 'ready' } satisfies ColourWorkerReply);
