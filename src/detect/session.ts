import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import ort from 'onnxruntime-node';
import type { ModelCard } from '../core/model-card.js';
import type { DeviceChoice } from './detector.js';
import type { ProviderName } from './worker-protocol.js';

export interface SessionOptions {
  readonly modelPath: string;
  readonly device: DeviceChoice;
  readonly intraOpThreads: number | undefined;
  readonly interOpThreads: number;
  /**
   * Whether idle intra-op threads spin after a run (onnxruntime's default).
   * Two sessions in one worker on few cores must not: one's spinning threads
   * steal the cores the other runs on.
   */
  readonly allowSpinning?: boolean;
}

export interface OpenedSession {
  readonly session: ort.InferenceSession;
  readonly provider: { name: ProviderName; reason: string };
  readonly inputName: string;
}

export class ModelLoadError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Model ${file}: ${detail}`);
    this.name = 'ModelLoadError';
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
}

async function openWith(opts: SessionOptions, provider: ProviderName): Promise<ort.InferenceSession> {
  const so: ort.InferenceSession.SessionOptions = {
    executionProviders: [provider],
    graphOptimizationLevel: 'all',
    interOpNumThreads: opts.interOpThreads,
    executionMode: opts.interOpThreads > 1 ? 'parallel' : 'sequential',
  };
  if (opts.intraOpThreads !== undefined) so.intraOpNumThreads = opts.intraOpThreads;
  if (opts.allowSpinning === false) so.extra = { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } };
  return ort.InferenceSession.create(opts.modelPath, so);
}

/**
 * Where onnxruntime-node looks for the CUDA provider library on this platform
 * (its install script puts it there when CUDA is installed; see docs/gpu.md).
 */
export function cudaProviderLibraryPath(): string {
  const pkg = createRequire(import.meta.url).resolve('onnxruntime-node/package.json');
  return join(dirname(pkg), 'bin', 'napi-v6', process.platform, process.arch, 'libonnxruntime_providers_cuda.so');
}

/**
 * Opens the ORT session on the requested device. 'auto' tries CUDA and falls
 * back to CPU, saying why; 'cuda' fails if CUDA cannot be used.
 */
export async function openSession(opts: SessionOptions): Promise<Omit<OpenedSession, 'inputName'>> {
  if (opts.device === 'cpu') {
    return { session: await openOrExplain(opts, 'cpu'), provider: { name: 'cpu', reason: 'requested (--device cpu)' } };
  }
  if (opts.device === 'auto') {
    const lib = cudaProviderLibraryPath();
    if (process.platform !== 'linux' || !existsSync(lib)) {
      const session = await openOrExplain(opts, 'cpu');
      const why = process.platform === 'linux' ? `${lib} is not installed; see docs/gpu.md` : `no CUDA provider for ${process.platform}`;
      return { session, provider: { name: 'cpu', reason: `auto: CUDA unavailable (${why}); using CPU` } };
    }
  }
  try {
    const session = await openWith(opts, 'cuda');
    return { session, provider: { name: 'cuda', reason: opts.device === 'cuda' ? 'requested (--device cuda)' : 'auto: CUDA execution provider loaded' } };
  } catch (err) {
    const why = firstLine(err);
    if (opts.device === 'cuda') {
      throw new ModelLoadError(opts.modelPath, `cannot use CUDA: ${why}. See docs/gpu.md to install the CUDA execution provider, or use --device cpu.`);
    }
    const session = await openOrExplain(opts, 'cpu');
    return { session, provider: { name: 'cpu', reason: `auto: CUDA unavailable (${why}); using CPU` } };
  }
}

async function openOrExplain(opts: SessionOptions, provider: ProviderName): Promise<ort.InferenceSession> {
  try {
    return await openWith(opts, provider);
  } catch (err) {
    throw new ModelLoadError(opts.modelPath, `cannot be loaded by onnxruntime (${firstLine(err)})`);
  }
}

/**
 * Checks that the session's I/O matches the card: one float32 input whose
 * fixed H, W are the card's, and the card's output names. Returns the input name.
 */
export function checkSessionAgainstCard(session: ort.InferenceSession, card: ModelCard, file: string): string {
  if (session.inputNames.length !== 1) {
    throw new ModelLoadError(file, `expected one input, found ${session.inputNames.length} (${session.inputNames.join(', ')})`);
  }
  const inputName = session.inputNames[0];
  const meta = session.inputMetadata[0];
  if (meta && meta.isTensor) {
    const shape = meta.shape;
    if (shape.length !== 4) {
      throw new ModelLoadError(file, `input '${inputName}' has rank ${shape.length}, expected [N, 3, H, W]`);
    }
    const [, ch, h, w] = shape;
    const mismatch = (v: number | string, want: number) => typeof v === 'number' && v !== want;
    if (mismatch(ch, 3) || mismatch(h, card.input.height) || mismatch(w, card.input.width)) {
      throw new ModelLoadError(file, `input '${inputName}' is [${shape.join(', ')}] but the card says [N, 3, ${card.input.height}, ${card.input.width}]`);
    }
  }
  for (const name of [card.outputs.logits, card.outputs.boxes]) {
    if (!session.outputNames.includes(name)) {
      throw new ModelLoadError(file, `has no output '${name}' named by its card (outputs: ${session.outputNames.join(', ')})`);
    }
  }
  return inputName;
}
