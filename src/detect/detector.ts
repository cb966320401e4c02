import type { DetectionsXyxyPixels } from '../core/detections.js';
import type { Frame } from '../core/frame.js';
import type { ModelCard } from '../core/model-card.js';
import type { DeviceChoice, Precision } from './precision.js';

export type { DeviceChoice } from './precision.js';

export interface DetectorOptions {
  /** Path to models/<name>.onnx; the card is the .json beside it. */
  modelPath: string;
  device?: DeviceChoice;
  /** onnxruntime intra-op threads (default: number of cores). */
  intraOpThreads?: number;
  interOpThreads?: number;
  /** Detections below this score are dropped (default from config). */
  scoreThreshold?: number;
  /** Max detections per image (top-k over queries x classes). */
  topK?: number;
  /**
   * The leukocyte typer (e.g. models/leukoscan-typer.onnx) that re-types the
   * detector's leukocyte boxes; null or absent: the detector's own types.
   */
  typerPath?: string | null;
  /**
   * 'auto' (default): the int8 sibling models/<name>.int8.onnx where the CPU
   * runs the model and has VNNI; 'float': the given file; 'int8': the sibling.
   * See src/detect/precision.ts.
   */
  precision?: Precision;
}

/**
 * The detector interface: the ORT session lives in a worker thread behind it.
 * Implemented by src/detect/onnx-detector.ts (`OnnxDetector.create(options)`).
 */
export interface Detector {
  readonly card: ModelCard;
  /** The execution provider actually in use, and why (e.g. CUDA fell back to CPU). */
  readonly provider: { name: 'cpu' | 'cuda'; reason: string };
  /** Detect in one RGB frame; boxes come back in the frame's pixels. */
  detect(frame: Frame): Promise<DetectionsXyxyPixels>;
  /** Ends the worker and releases the session. Idempotent. */
  release(): Promise<void>;
}
