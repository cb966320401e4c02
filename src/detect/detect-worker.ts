/**
 * The worker thread that owns the ORT session: onnxruntime-node's run() blocks
 * the thread it runs on, so it never runs on the main event loop.
 * Pre-processing, inference and post-processing all happen here; the main
 * thread sends RGB frames and receives columnar detections.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { postprocessDetr } from './postprocess.js';
import { preprocessRgb } from './preprocess.js';
import { checkSessionAgainstCard, openSession } from './session.js';
import { OutputShapeError } from './postprocess.js';
import type { FromWorker, ToWorker, WorkerInit } from './worker-protocol.js';

const port = parentPort;
if (!port) throw new Error('detect-worker must run in a worker thread');
const init = workerData as WorkerInit;
const card = init.card;

function post(msg: FromWorker, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

function tensorDims(t: ort.Tensor): readonly number[] {
  return t.dims;
}

async function start(): Promise<void> {
  let session: ort.InferenceSession;
  let inputName: string;
  try {
    const opened = await openSession(init);
    session = opened.session;
    inputName = checkSessionAgainstCard(session, card, init.modelPath);
    post({ type: 'ready', provider: opened.provider });
  } catch (err) {
    post({ type: 'init-error', message: err instanceof Error ? err.message : String(err) });
    return;
  }

  const numClasses = card.classes.length;
  // One message at a time, in order: a 'release' must never dispose the session
  // while a run it follows is still in flight (session.run yields before it runs).
  let queue: Promise<void> = Promise.resolve();
  port!.on('message', (msg: ToWorker) => {
    queue = queue.then(() => handle(msg));
  });

  async function handle(msg: ToWorker): Promise<void> {
    if (msg.type === 'release') {
      await session.release();
      post({ type: 'released' });
      port!.close();
      return;
    }
    try {
      const t0 = performance.now();
      const input = preprocessRgb({ width: msg.width, height: msg.height, rgb: msg.rgb }, card);
      const t1 = performance.now();
      const feeds = { [inputName]: new ort.Tensor('float32', input.data, [...input.dims]) };
      const out = await session.run(feeds);
      const t2 = performance.now();
      const logits = out[card.outputs.logits];
      const boxes = out[card.outputs.boxes];
      const ld = tensorDims(logits);
      const bd = tensorDims(boxes);
      if (ld.length !== 3 || ld[0] !== 1 || ld[2] !== numClasses) {
        throw new OutputShapeError(`'${card.outputs.logits}' is [${ld.join(', ')}], expected [1, Q, ${numClasses}]`);
      }
      if (bd.length !== 3 || bd[0] !== 1 || bd[1] !== ld[1] || bd[2] !== 4) {
        throw new OutputShapeError(`'${card.outputs.boxes}' is [${bd.join(', ')}], expected [1, ${ld[1]}, 4]`);
      }
      const det = postprocessDetr(
        { logits: logits.data as Float32Array, boxes: boxes.data as Float32Array, numQueries: ld[1], numClasses },
        { imageSize: { width: msg.width, height: msg.height }, classNames: card.classes, topK: init.topK, scoreThreshold: init.scoreThreshold },
      );
      const t3 = performance.now();
      logits.dispose();
      boxes.dispose();
      post(
        {
          type: 'result',
          id: msg.id,
          detections: { imageWidth: det.imageWidth, imageHeight: det.imageHeight, boxes: det.boxes, scores: det.scores, classIds: det.classIds },
          timings: { preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2 },
        },
        [det.boxes.buffer as ArrayBuffer, det.scores.buffer as ArrayBuffer, det.classIds.buffer as ArrayBuffer],
      );
    } catch (err) {
      post({ type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

void start();
