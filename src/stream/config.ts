/** Sizes, limits and intervals of the stream server, with their defaults in one place. */
import { normaliseOrigin } from './origin.js';
import { PROTOCOL_LIMITS } from './protocol.js';

export interface StreamConfig {
  /** Interface to bind; 127.0.0.1 keeps the dashboard local unless `--host` says otherwise. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Largest viewer → server message (ws maxPayload), bytes. */
  maxPayloadBytes: number;
  /** A viewer's socket buffer above which nothing more is queued to it (latest wins instead), bytes. */
  maxBufferedBytes: number;
  /** Ping interval; a viewer that has not answered the previous ping by the next one is terminated. */
  heartbeatIntervalMs: number;
  /** Invalid messages a viewer may send before it is disconnected (1008). */
  maxBadMessages: number;
  /** Frames sent to viewers are downscaled to at most this width (aspect kept). */
  frameMaxWidth: number;
  jpegQuality: number;
  /** Frames per second offered to viewers at most (the pipeline may run faster). */
  maxStreamFps: number;
  /** Counted-cell crops: side of the square JPEG and margin around the box. */
  cropSize: number;
  cropMarginFraction: number;
  /** Counted cells kept for the gallery snapshot sent on connect. */
  galleryLimit: number;
  /** Per-viewer queue of events that must not be coalesced (counted cells, replies); oldest dropped beyond it. */
  maxQueuedEvents: number;
  /** How often health/metrics are pushed. */
  metricsIntervalMs: number;
  /** Most viewers at once; more are refused with 503. */
  maxViewers: number;
  /** Recent frames kept so that a counted cell without a crop can be cut from its frame. */
  cropFrameCache: number;
  /** Browser origins allowed besides the dashboard's own (`--allow-origin`), normalised (origin.ts). */
  allowedOrigins: readonly string[];
}

export const DEFAULT_STREAM_CONFIG: Readonly<StreamConfig> = Object.freeze({
  host: '127.0.0.1',
  port: 8787,
  maxPayloadBytes: PROTOCOL_LIMITS.MAX_CLIENT_MESSAGE_BYTES,
  maxBufferedBytes: 1024 * 1024,
  heartbeatIntervalMs: 15_000,
  maxBadMessages: 5,
  frameMaxWidth: 960,
  jpegQuality: 70,
  maxStreamFps: 15,
  cropSize: 96,
  cropMarginFraction: 0.15,
  galleryLimit: 200,
  maxQueuedEvents: 256,
  metricsIntervalMs: 1000,
  maxViewers: 200,
  cropFrameCache: 4,
  allowedOrigins: Object.freeze([]) as readonly string[],
});

export function resolveStreamConfig(overrides: Partial<StreamConfig> = {}): StreamConfig {
  const config = { ...DEFAULT_STREAM_CONFIG, ...overrides };
  config.allowedOrigins = config.allowedOrigins.map(normaliseOrigin);
  for (const [key, value] of Object.entries(config)) {
    if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
      throw new Error(`stream config: ${key} must be a non-negative number, got ${value}`);
    }
  }
  if (config.maxPayloadBytes > DEFAULT_STREAM_CONFIG.maxPayloadBytes * 64) {
    throw new Error(`stream config: maxPayloadBytes ${config.maxPayloadBytes} is larger than any viewer message needs`);
  }
  return config;
}
