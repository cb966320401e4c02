/**
 * The tracker's sizes follow the camera's scale: one function, one place. Every threshold below
 * that is a length in frame pixels was tuned on BCCD (100x oil, 640x480: red cells 102 px); on
 * another camera it is multiplied by (this camera's red cell / BCCD's), from the calibration's
 * ScaleEstimate. Thresholds that are ratios (gate fraction, IoUs, cellFraction of a BCCD frame)
 * need no change; the stage-pace cell size becomes a length in pixels.
 */
import { BCCD_FRAME_SHORT_SIDE_PX, BCCD_RBC_DIAMETER_PX } from '../core/bccd-scale.js';
import { type TrackConfig, type TrackConfigInput, resolveTrackConfig } from './config.js';
import { DEFAULT_STAGE_PACE_CONFIG, type StagePaceConfig } from './stage-pace.js';

// BCCD_FRAME_SHORT_SIDE_PX is what DEFAULT_STAGE_PACE_CONFIG.cellFraction refers to.
export { BCCD_FRAME_SHORT_SIDE_PX, BCCD_RBC_DIAMETER_PX } from '../core/bccd-scale.js';

/** A leukocyte's size in frame px at this scale for StagePace; undefined when the scale is unknown. */
export function stagePaceCellPx(rbcDiameterPx: number | null | undefined, pace: Pick<StagePaceConfig, 'cellFraction'> = DEFAULT_STAGE_PACE_CONFIG): number | undefined {
  const ratio = scaleRelativeToBccd(rbcDiameterPx);
  if (ratio === 1 && rbcDiameterPx !== BCCD_RBC_DIAMETER_PX) return undefined;
  return pace.cellFraction * BCCD_FRAME_SHORT_SIDE_PX * ratio;
}

/** This camera's red cell over BCCD's; 1 when the scale is unknown. */
export function scaleRelativeToBccd(rbcDiameterPx: number | null | undefined): number {
  return rbcDiameterPx !== null && rbcDiameterPx !== undefined && rbcDiameterPx > 0 && Number.isFinite(rbcDiameterPx) ? rbcDiameterPx / BCCD_RBC_DIAMETER_PX : 1;
}

export interface ScaledTracking {
  /** The track config with its pixel lengths scaled (pass to SlideCounter). */
  readonly track: TrackConfig;
  /** Stage-pace settings with the cell size in pixels at this scale (pass to StagePace); unknown scale: today's. */
  readonly stagePace: Omit<StagePaceConfig, 'minObservations'>;
  readonly ratio: number;
}

/**
 * The tracker's and stage pace's settings at a camera's scale. `input` is what the caller would
 * have passed (its pixel lengths are taken as BCCD-scale values and scaled too).
 */
export function trackingForScale(rbcDiameterPx: number | null | undefined, input: TrackConfigInput = {}, stagePace: Partial<Omit<StagePaceConfig, 'minObservations'>> = {}): ScaledTracking {
  const ratio = scaleRelativeToBccd(rbcDiameterPx);
  const known = ratio !== 1 || rbcDiameterPx === BCCD_RBC_DIAMETER_PX;
  const base = resolveTrackConfig(input);
  const pace = { ...DEFAULT_STAGE_PACE_CONFIG, ...stagePace };
  return {
    ratio,
    track: {
      ...base,
      registration: { ...base.registration, pausePx: base.registration.pausePx * ratio },
      registry: { ...base.registry, edgeMarginPx: Math.max(1, base.registry.edgeMarginPx * ratio) },
    },
    // unknown scale: today's cell, a share of whatever frame comes
    stagePace: known ? { ...pace, cellPx: stagePaceCellPx(rbcDiameterPx, pace) } : pace,
  };
}
