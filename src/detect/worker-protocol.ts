/**
 * Messages between OnnxDetector (main thread) and detect-worker (the thread
 * that owns the ORT session). One discriminated union per direction.
 */
import type { ModelCard, TyperCard } from '../core/model-card.js';
import type { DeviceChoice } from './detector.js';

export type ProviderName = 'cpu' | 'cuda';

/** Passed as workerData when the worker starts. */
export interface WorkerInit {
  readonly modelPath: string;
  readonly card: ModelCard;
  readonly device: DeviceChoice;
  readonly intraOpThreads: number | undefined;
  readonly interOpThreads: number;
  readonly topK: number;
  readonly scoreThreshold: number;
  /** The leukocyte typer that re-types leukocyte boxes, or null for the detector's own types. */
  readonly typer: { readonly modelPath: string; readonly card: TyperCard } | null;
}

/** Milliseconds spent in each stage inside the worker for one frame. */
export interface StageTimings {
  readonly preMs: number;
  readonly inferMs: number;
  readonly postMs: number;
  /** The typer (crops + its session), 0 without one. */
  readonly typeMs: number;
}

export interface WireDetections {
  readonly imageWidth: number;
  readonly imageHeight: number;
  readonly boxes: Float32Array;
  readonly scores: Float32Array;
  readonly classIds: Int32Array;
}

export type ToWorker =
  | { readonly type: 'detect'; readonly id: number; readonly width: number; readonly height: number; readonly rgb: Uint8Array }
  | { readonly type: 'release' };

export type FromWorker =
  | { readonly type: 'ready'; readonly provider: { name: ProviderName; reason: string } }
  | { readonly type: 'init-error'; readonly message: string }
  | { readonly type: 'result'; readonly id: number; readonly detections: WireDetections; readonly timings: StageTimings }
  | { readonly type: 'error'; readonly id: number; readonly message: string }
  | { readonly type: 'released' };
