/** One-line summaries of a calibration, for the terminal and the dashboard's Health tile. Pure. */
import type { DeviceProfile } from './types.js';

/** "Scale 0.11 µm/px (412 red cells) · field: circle · colour: calibrated" */
export function calibrationSummary(p: Pick<DeviceProfile, 'scale' | 'field' | 'colour'>): string {
  const s = p.scale;
  const scale = s.method === 'override' ? `Scale ${fmtUm(s.umPerPx)} µm/px (given)` : `Scale ${fmtUm(s.umPerPx)} µm/px (${s.rbcCount} red cells)`;
  const colour = p.colour.stain ? 'calibrated' : 'white balance only';
  return `${scale} · field: ${p.field.kind} · colour: ${colour}`;
}

function fmtUm(v: number): string {
  return v >= 1 ? v.toFixed(2) : v >= 0.1 ? v.toFixed(3) : v.toPrecision(2);
}
