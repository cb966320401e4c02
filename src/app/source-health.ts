/**
 * The session's health tile, derived from what the pipeline reports: the source's state and fps
 * from capture health events, the pipeline rates from its metrics. Pure; every message leaves with
 * camera credentials redacted.
 */
import { describeHealth, type HealthEvent } from '../capture/health.js';
import { redactUri } from '../capture/redact-uri.js';
import type { LiveEvent } from '../pipeline/live-types.js';
import type { CalibrationHealth } from '../stream/protocol.js';
import type { SessionHealth } from '../stream/session.js';

type Metrics = Extract<LiveEvent, { type: 'metrics' }>['metrics'];

/** Health before the source has said anything. */
export function initialHealth(source: string): SessionHealth {
  return {
    source: { uri: redactUri(source), state: 'starting', fps: 0, message: null },
    pipeline: { fps: 0, detectFps: 0, detectMs: null, droppedFrames: 0, stagePace: null },
  };
}

/** A capture health event applied: connected → running; stalled / reconnecting say so with the reason. */
export function withSourceHealth(health: SessionHealth, h: HealthEvent): SessionHealth {
  const source = { ...health.source };
  if (h.type === 'fps') source.fps = h.fps;
  else if (h.type === 'connected') Object.assign(source, { state: 'running', message: null });
  else Object.assign(source, { state: h.type, message: redactUri(describeHealth(h)) });
  return { ...health, source };
}

/** Pipeline metrics applied, with the stage pace measured beside them. */
/** `calibration` undefined: this server does not calibrate (the field stays off the wire). */
export function withPipelineMetrics(health: SessionHealth, m: Metrics, stagePace: number | null, calibration?: CalibrationHealth | null): SessionHealth {
  return {
    ...health,
    pipeline: {
      fps: m.fpsIn,
      detectFps: m.fpsDetected,
      detectMs: Number.isFinite(m.detectP50Ms) ? m.detectP50Ms : null,
      droppedFrames: m.framesSkipped,
      stagePace,
      ...(calibration === undefined ? {} : { calibration }),
    },
  };
}
