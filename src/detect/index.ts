export type { Detector, DetectorOptions, DeviceChoice } from './detector.js';
export { OnnxDetector, DetectorReleasedError, type TimedDetections } from './onnx-detector.js';
export { DETECT_DEFAULTS } from './config.js';
export { decodeImage, decodeImageFile, isImageFile, IMAGE_EXTENSIONS, ImageDecodeError } from './image-decode.js';
export { loadModelCard, parseModelCard, cardPathForModel, ModelCardError, modelCardSchema } from './model-card-loader.js';
export { resizeRgbPilBilinear } from './resize-pil.js';
export { preprocessRgb, normaliseToNchw, InputShapeError, type RgbImage, type InputTensor, type PreprocessSpec } from './preprocess.js';
export { postprocessDetr, sigmoid, OutputShapeError, type DetrOutputs, type PostprocessOptions } from './postprocess.js';
export {
  cxcywhNormToXyxyPixels,
  xyxyPixelsToCxcywhNorm,
  xyxyToXywhPixels,
  xywhToXyxyPixels,
  type BoxesCxcywhNorm,
  type BoxesXyxyPixels,
  type BoxesXywhPixels,
  type ImageSize,
} from './boxes.js';
export { ModelLoadError } from './session.js';
export type { StageTimings, ProviderName } from './worker-protocol.js';
