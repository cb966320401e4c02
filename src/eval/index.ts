export { evaluateCoco, iouXywh, type BboxXywh, type CocoSummary, type CategoryResult, type DetectionBox, type EvalDataset, type GroundTruthBox } from './coco-eval.js';
export { EVAL_DEFAULTS, MERGE_INTO_WBC, type EvalConfig } from './config.js';
export { canonicalCategory, mergeWbc } from './category-names.js';
export * from './annotations/index.js';
export { readPredictions, recordsToDetections, PredictionsError } from './predictions.js';
export { formatCocoTable, summaryToJson } from './report.js';
