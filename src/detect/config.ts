/**
 * Detector defaults, in one place. Commands and callers override them through
 * `DetectorOptions`; nothing below is repeated inside the functions that use it.
 */
export const DETECT_DEFAULTS = {
  /** The model `leukoscan detect`, `bench` and the live pipeline load unless told otherwise. */
  modelPath: 'models/leukoscan-lite.onnx',
  device: 'auto',
  /** Float model or its int8 sibling: src/detect/precision.ts. */
  precision: 'auto',
  /** Detections below this score are dropped (low because leukoscan-lite's scores are: see src/track/config.ts). */
  scoreThreshold: 0.15,
  /** Max detections per image: Deformable-DETR's top-k over queries x classes. */
  topK: 100,
  /** ORT inter-op threads: the graph is one chain, so parallel branches gain nothing. */
  interOpThreads: 1,
} as const;
