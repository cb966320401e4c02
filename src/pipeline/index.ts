export { livePipeline, type LivePipelineOptions } from './live-pipeline.js';
export type { LiveEvent, LiveEventType, DetectionTiming } from './live-types.js';
export type { MetricsSnapshot } from './metrics.js';
export { PipelineMetrics, SampleWindow } from './metrics.js';
export { DEFAULT_COLOUR_CONFIG, DEFAULT_METRICS_CONFIG, type ColourNormaliseConfig, type MetricsConfig } from './config.js';
export { ColourNormaliser } from '../colour/normaliser.js';
export { detectLatest, type DetectLatestEvent } from './operators/detect-latest.js';
export { normaliseColour } from './operators/normalise-colour.js';
export { measureMetrics } from './operators/measure-metrics.js';
