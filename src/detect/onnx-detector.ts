import { existsSync } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import type { Worker } from 'node:worker_threads';
import type { DetectionsXyxyPixels } from '../core/detections.js';
import { startWorker } from '../core/start-worker.js';
import type { Frame } from '../core/frame.js';
import type { ModelCard, TyperCard } from '../core/model-card.js';
import { DETECT_DEFAULTS } from './config.js';
import type { DeviceChoice, Detector, DetectorOptions } from './detector.js';
import { sha256File } from './file-hash.js';
import { cardPathForModel, loadModelCard } from './model-card-loader.js';
import { assertRgbImage } from './preprocess.js';
import { choosePrecision, flagsHaveVnni, int8PathFor, type Precision, type PrecisionChoice, type PrecisionFacts } from './precision.js';
import { cudaProviderLibraryPath, ModelLoadError } from './session.js';
import { loadTyperCard } from './typer-card.js';
import type { FromWorker, ProviderName, StageTimings, ToWorker, WorkerInit } from './worker-protocol.js';

export interface TimedDetections {
  readonly detections: DetectionsXyxyPixels;
  /** Time spent in the worker per stage. */
  readonly timings: StageTimings;
}

interface Pending {
  resolve(v: TimedDetections): void;
  reject(e: Error): void;
}

/** The int8 file against its card: the card, and what is wrong where something is. */
async function checkInt8Card(int8: string, floatPath: string): Promise<{ card?: ModelCard; problem?: string }> {
  let card: ModelCard;
  try {
    card = await loadModelCard(cardPathForModel(int8));
  } catch (e) {
    return { problem: (e as Error).message };
  }
  const q = card.quantization;
  if (q === undefined) return { card, problem: 'the card has no quantization block' };
  if (card.onnx?.sha256 !== (await sha256File(int8))) return { card, problem: "the int8 file's hash differs from the card's onnx.sha256" };
  if (q.sourceSha256 !== (await sha256File(floatPath))) return { card, problem: `it was made from another float model (quantization.sourceSha256 differs from ${floatPath}'s hash)` };
  return { card };
}

/**
 * The I/O edge of choosePrecision: the int8 file checked against its own card
 * (models/<name>.int8.json: its hash, and the hash of the float file it was
 * made from), the CUDA library, /proc/cpuinfo. -> the choice and the card of
 * the file chosen.
 */
async function resolvePrecision(
  modelPath: string,
  card: ModelCard,
  precision: Precision,
  device: DeviceChoice,
): Promise<{ choice: PrecisionChoice; card: ModelCard }> {
  const facts: { -readonly [K in keyof PrecisionFacts]: PrecisionFacts[K] } = { device, cudaInstalled: false, cpuHasVnni: false, int8: 'missing' };
  const int8 = int8PathFor(modelPath);
  let int8Card: ModelCard | undefined;
  if (precision !== 'float' && int8 !== modelPath && existsSync(int8)) {
    const checked = await checkInt8Card(int8, modelPath);
    int8Card = checked.card;
    facts.int8 = checked.problem === undefined ? 'ok' : 'stale';
    if (checked.problem !== undefined) facts.int8Problem = checked.problem;
    const bits = checked.card?.quantization?.weightBits;
    if (bits !== undefined) facts.int8WeightBits = bits;
  }
  if (precision === 'auto') {
    facts.cudaInstalled = process.platform === 'linux' && existsSync(cudaProviderLibraryPath());
    facts.cpuHasVnni = flagsHaveVnni(await readFile('/proc/cpuinfo', 'utf8').catch(() => ''));
  }
  const choice = choosePrecision(modelPath, precision, facts);
  return { choice, card: choice.modelPath === int8 && int8Card !== undefined ? int8Card : card };
}


export class DetectorReleasedError extends Error {
  constructor() {
    super('Detector was released');
    this.name = 'DetectorReleasedError';
  }
}

/**
 * The ONNX Runtime detector. The session lives in a worker thread that this
 * object owns: `release()` ends it. Frames are copied to the worker, so the
 * caller keeps ownership of its buffers.
 */
export class OnnxDetector implements Detector {
  readonly card: ModelCard;
  readonly provider: { name: ProviderName; reason: string };
  /** The file actually run (the int8 sibling where `precision` chose it). */
  readonly modelPath: string;
  /** Float or int8, and why (see src/detect/precision.ts). */
  readonly precision: Omit<PrecisionChoice, 'modelPath'>;
  /** The typer that re-types leukocytes, or null (the detector's own types). */
  readonly typer: { readonly modelPath: string; readonly card: TyperCard } | null;
  #worker: Worker;
  #pending = new Map<number, Pending>();
  #nextId = 1;
  #released: Promise<void> | undefined;
  #dead: Error | undefined;

  private constructor(
    worker: Worker,
    card: ModelCard,
    provider: { name: ProviderName; reason: string },
    modelPath: string,
    typer: OnnxDetector['typer'],
    precision: OnnxDetector['precision'],
  ) {
    this.precision = precision;
    this.#worker = worker;
    this.card = card;
    this.typer = typer;
    this.provider = provider;
    this.modelPath = modelPath;
    worker.on('message', (msg: FromWorker) => this.#onMessage(msg));
    worker.on('error', (err) => this.#fail(err));
    worker.on('exit', (code) => {
      if (!this.#released) this.#fail(new Error(`detector worker exited unexpectedly (code ${code})`));
    });
  }

  /**
   * Loads and validates the card (models/<name>.json beside the model), starts
   * the worker and opens the session. Rejects with an error naming the file.
   */
  static async create(options: DetectorOptions): Promise<OnnxDetector> {
    const device = options.device ?? DETECT_DEFAULTS.device;
    try {
      await access(options.modelPath);
    } catch {
      throw new ModelLoadError(options.modelPath, 'not found');
    }
    const given = await loadModelCard(cardPathForModel(options.modelPath));
    const { choice, card } = await resolvePrecision(options.modelPath, given, options.precision ?? DETECT_DEFAULTS.precision, device);
    const modelPath = choice.modelPath;
    const typerPath = options.typerPath ?? null;
    let typer: WorkerInit['typer'] = null;
    if (typerPath !== null) {
      try {
        await access(typerPath);
      } catch {
        throw new ModelLoadError(typerPath, 'typer not found');
      }
      typer = { modelPath: typerPath, card: await loadTyperCard(cardPathForModel(typerPath)) };
    }
    const init: WorkerInit = {
      typer,
      modelPath,
      card,
      device,
      intraOpThreads: options.intraOpThreads,
      interOpThreads: options.interOpThreads ?? DETECT_DEFAULTS.interOpThreads,
      topK: options.topK ?? DETECT_DEFAULTS.topK,
      scoreThreshold: options.scoreThreshold ?? DETECT_DEFAULTS.scoreThreshold,
    };
    const worker = startWorker(import.meta.url, './detect-worker', init);
    const provider = await new Promise<{ name: ProviderName; reason: string }>((resolve, reject) => {
      const onMessage = (msg: FromWorker) => {
        cleanup();
        if (msg.type === 'ready') resolve(msg.provider);
        else if (msg.type === 'init-error') reject(new Error(msg.message));
        else reject(new Error(`detector worker: unexpected '${msg.type}' before ready`));
      };
      const onError = (err: Error) => {
        cleanup();
        reject(new ModelLoadError(modelPath, `detector worker failed to start (${err.message})`));
      };
      const onExit = (code: number) => {
        cleanup();
        reject(new ModelLoadError(modelPath, `detector worker exited during start (code ${code})`));
      };
      const cleanup = () => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.on('exit', onExit);
    }).catch(async (err: unknown) => {
      await worker.terminate();
      throw err;
    });
    return new OnnxDetector(worker, card, provider, modelPath, typer, { precision: choice.precision, reason: choice.reason });
  }

  /** One line for logs: file, precision and provider, with the reasons. */
  describe(): string {
    return `${this.modelPath} (${this.precision.precision}; ${this.precision.reason}) on ${this.provider.name} (${this.provider.reason})`;
  }

  async detect(frame: Frame): Promise<DetectionsXyxyPixels> {
    return (await this.detectTimed(frame)).detections;
  }

  /** detect(), plus the time each stage took in the worker. */
  detectTimed(frame: Pick<Frame, 'width' | 'height' | 'rgb'>): Promise<TimedDetections> {
    if (this.#released) return Promise.reject(new DetectorReleasedError());
    if (this.#dead) return Promise.reject(this.#dead);
    try {
      assertRgbImage(frame, 'frame');
    } catch (err) {
      return Promise.reject(err);
    }
    const id = this.#nextId++;
    const rgb = new Uint8Array(frame.rgb); // copy: the caller keeps its buffer
    const msg: ToWorker = { type: 'detect', id, width: frame.width, height: frame.height, rgb };
    return new Promise<TimedDetections>((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#worker.postMessage(msg, [rgb.buffer]);
    });
  }

  /** Number of frames sent to the worker and not yet answered. */
  get inFlight(): number {
    return this.#pending.size;
  }

  release(): Promise<void> {
    if (this.#released) return this.#released;
    this.#released = (async () => {
      this.#rejectAll(new DetectorReleasedError());
      if (this.#dead) return;
      const done = new Promise<void>((resolve) => {
        const onMsg = (m: FromWorker) => {
          if (m.type === 'released') resolve();
        };
        this.#worker.on('message', onMsg);
        this.#worker.once('exit', () => resolve());
      });
      this.#worker.postMessage({ type: 'release' } satisfies ToWorker);
      await done;
      await this.#worker.terminate();
    })();
    return this.#released;
  }

  #onMessage(msg: FromWorker): void {
    if (msg.type !== 'result' && msg.type !== 'error') return;
    const p = this.#pending.get(msg.id);
    if (!p) return;
    this.#pending.delete(msg.id);
    if (msg.type === 'error') {
      p.reject(new Error(msg.message));
      return;
    }
    const d = msg.detections;
    p.resolve({
      detections: {
        kind: 'xyxy-pixels',
        imageWidth: d.imageWidth,
        imageHeight: d.imageHeight,
        boxes: d.boxes,
        scores: d.scores,
        classIds: d.classIds,
        classNames: this.card.classes,
      },
      timings: msg.timings,
    });
  }

  #fail(err: Error): void {
    this.#dead ??= err;
    this.#rejectAll(err);
  }

  #rejectAll(err: Error): void {
    for (const p of this.#pending.values()) p.reject(err);
    this.#pending.clear();
  }
}
