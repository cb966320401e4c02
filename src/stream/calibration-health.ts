/** The detector's calibration -> health.pipeline.calibration on the wire (pure). */
import type { DetectorCalibration } from '../detect/calibration-state.js';
import { PROTOCOL_LIMITS, type CalibrationHealth } from './protocol.js';

export function calibrationHealth(c: DetectorCalibration): CalibrationHealth {
  return {
    status: c.status,
    umPerPx: c.scale === null ? null : c.scale.umPerPx,
    rbcCount: c.scale === null || c.scaleOverridden ? null : Math.max(0, Math.round(c.scale.rbcCount)),
    scaleOverridden: c.scaleOverridden,
    field: c.field.kind,
    colourCalibrated: c.colour !== null,
    tiles: c.plan === null ? null : c.plan.tiles,
    message: c.message === null ? null : c.message.slice(0, PROTOCOL_LIMITS.MAX_SOURCE_CHARS),
  };
}
