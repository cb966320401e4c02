/**
 * One line for people (run's status, logs): "Scale 0.110 µm/px (412 red cells) · field: circle ·
 * colour: calibrated · 4 tiles", or "calibrating…", or "held (no red cells …)". Pure.
 */
import type { DetectorCalibration } from './calibration-state.js';

export function calibrationSummary(c: DetectorCalibration): string {
  if (c.status === 'off' && c.scale === null) return 'calibration off';
  const parts: string[] = [];
  if (c.scale === null) parts.push(c.status === 'calibrating' ? 'calibrating…' : 'no scale');
  else parts.push(`Scale ${c.scale.umPerPx.toFixed(3)} µm/px (${c.scaleOverridden ? 'set by --um-per-px' : `${c.scale.rbcCount} red cells${c.scale.method === 'detector-rbc' ? ' found by the detector' : ''}`})`);
  parts.push(`field: ${c.field.kind}`);
  parts.push(`colour: ${c.colour === null ? 'not calibrated' : 'calibrated'}`);
  if (c.plan !== null) parts.push(c.plan.mode === 'stretch' ? 'no tiles' : `${c.plan.tiles} tile${c.plan.tiles === 1 ? '' : 's'}`);
  const line = parts.join(' · ');
  return c.status === 'held' && c.message !== null ? `${line} · ${c.message}` : line;
}
