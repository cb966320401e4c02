/**
 * Worker thread that runs the stage registration (src/track/registration: grey downscale, focus,
 * phase-correlation FFTs; ~10 ms a frame) off the server's event loop. One Registrar, fed the
 * frames in the order they are sent; 'reset' starts a new one (a new scan). Messages: see
 * RegistrationRequest / RegistrationReply in off-thread-registrar.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Registrar } from '../track/registration/registrar.js';
import type { FrameRegistration } from '../track/types.js';
import type { RegistrationReply, RegistrationRequest, RegistrationWorkerInit } from './off-thread-registrar.js';

const port = parentPort;
if (port === null) throw new Error('registration-worker.ts must run in a worker thread');
const init = workerData as RegistrationWorkerInit;
const post = (message: RegistrationReply) => port.postMessage(message);

let registrar = new Registrar(init.config);
port.on('message', (request: RegistrationRequest) => {
  if (request.type === 'reset') {
    registrar = new Registrar(init.config);
    return;
  }
  const { seq, timestampMs, width, height } = request;
  try {
    const { frame: _frame, ...registration } = registrar.update({ seq, timestampMs, width, height, rgb: new Uint8Array(request.rgb) });
    post({ type: 'registered', seq, registration: registration satisfies FrameRegistration });
  } catch (err) {
    post({ type: 'failed', seq, message: (err as Error).message });
  }
});
post({ type: 'ready' });
