/**
 * The worker thread that owns the ORT session: onnxruntime-node's run() blocks
 * the thread it runs on, so it never runs on the main event loop.
 * Pre-processing, inference and post-processing all happen here; the main
 * thread sends RGB frames and receives columnar detections.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import ort from 'onnxruntime-node';
import { gatherBoxes } from './boxes.js';
import { nmsFromCard } from './nms.js';
import { postprocessDetr } from './postprocess.js';
import { leukocyteIndices, retype } from './retype.js';
import { typerInput } from './typer-crop.js';
import { preprocessRgb } from './preprocess.js';
import { checkSessionAgainstCard, openSession } from './session.js';
import { OutputShapeError } from './postprocess.js';
import type { TyperCard } from '../core/model-card.js';
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
  let typer: { session: ort.InferenceSession; inputName: string; card: TyperCard } | null = null;
  try {
    const opened = await openSession(init);
    session = opened.session;
    inputName = checkSessionAgainstCard(session, card, init.modelPath);
    if (init.typer) {
      // the typer's threads sleep between runs: spinning, they took the detector's cores
      // (bench, 2 cores, int8 + typer: p50 119.5 ms spinning, 87.2 ms not; detector alone 82.7)
      const t = await openSession({ ...init, modelPath: init.typer.modelPath, allowSpinning: false });
      typer = { session: t.session, inputName: t.session.inputNames[0], card: init.typer.card };
      if (!t.session.outputNames.includes(init.typer.card.outputs.logits)) {
        throw new OutputShapeError(`typer ${init.typer.modelPath} has no output '${init.typer.card.outputs.logits}'`);
      }
    }
    post({ type: 'ready', provider: opened.provider });
  } catch (err) {
    post({ type: 'init-error', message: err instanceof Error ? err.message : String(err) });
    return;
  }

  const numClasses = card.classes.length;
  const nms = nmsFromCard(card);
  // One message at a time, in order: a 'release' must never dispose the session
  // while a run it follows is still in flight (session.run yields before it runs).
  let queue: Promise<void> = Promise.resolve();
  port!.on('message', (msg: ToWorker) => {
    queue = queue.then(() => handle(msg));
  });

  async function handle(msg: ToWorker): Promise<void> {
    if (msg.type === 'release') {
      await session.release();
      await typer?.session.release();
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
        { imageSize: { width: msg.width, height: msg.height }, classNames: card.classes, topK: init.topK, scoreThreshold: init.scoreThreshold, nms },
      );
      const t3 = performance.now();
      logits.dispose();
      boxes.dispose();
      let classIds = det.classIds;
      if (typer) {
        const idx = leukocyteIndices(det.classIds, card.classes, typer.card);
        if (idx.length > 0) {
          const s = typer.card.input.width;
          const crops = typerInput({ width: msg.width, height: msg.height, rgb: msg.rgb }, gatherBoxes(det.boxes, idx), typer.card);
          const res = await typer.session.run({ [typer.inputName]: new ort.Tensor('float32', crops, [idx.length, 3, s, s]) });
          const typeLogits = res[typer.card.outputs.logits];
          classIds = retype(det.classIds, idx, typeLogits.data as Float32Array, card.classes, typer.card);
          typeLogits.dispose();
        }
      }
      const t4 = performance.now();
      post(
        {
          type: 'result',
          id: msg.id,
          detections: { imageWidth: det.imageWidth, imageHeight: det.imageHeight, boxes: det.boxes, scores: det.scores, classIds },
          timings: { preMs: t1 - t0, inferMs: t2 - t1, postMs: t3 - t2, typeMs: typer ? t4 - t3 : 0 },
        },
        [det.boxes.buffer as ArrayBuffer, det.scores.buffer as ArrayBuffer, classIds.buffer as ArrayBuffer],
      );
    } catch (err) {
      post({ type: 'error', id: msg.id, message: err instanceof Error ? err.message : String(err) });
    }
  }
}

void start();
