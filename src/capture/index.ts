export { capture, type CaptureOptions } from './capture.js';
export { type CaptureConfig, DEFAULT_CAPTURE_CONFIG, parseSize } from './config.js';
export { CaptureError, StallError } from './errors.js';
export { ffmpegChildrenExited, runningFfmpegCount } from './ffmpeg-frames.js';
export { resolveFfmpeg } from './ffmpeg-binary.js';
export { type CaptureEvent, type HealthEvent, describeHealth } from './health.js';
export { type SourceSpec, parseSourceUri, isLiveSource, SourceUriError } from './source-uri.js';
