/**
 * The calibration under Health: "Scale 0.110 µm/px (412 red cells) · field: circle · colour:
 * calibrated", "calibrating…", or "held (…)", and a Recalibrate button for the operator (after
 * changing the objective). Reads health.pipeline.calibration (src/stream/protocol.ts).
 */
import { RBC_DIAMETER_UM } from '../../src/calibration/types.js';
import type { CalibrationHealth } from '../../src/stream/protocol.js';
import { scaleRelativeToBccd } from '../../src/track/scale.js';
import type { Request } from './connection.js';
import { h } from './dom.js';
import { OperatorGated } from './operator-gated.js';

/** Pure: the tile's text. */
export function calibrationText(c: CalibrationHealth | null | undefined): string {
  if (c === null || c === undefined || (c.status === 'off' && c.umPerPx === null)) return 'off';
  const scale =
    c.umPerPx === null
      ? c.status === 'calibrating'
        ? 'calibrating…'
        : 'no scale'
      : `Scale ${c.umPerPx.toFixed(3)} µm/px (${c.scaleOverridden ? 'set' : `${c.rbcCount ?? 0} red cells`})`;
  const field = c.field === 'full' ? 'field: full' : `field: ${c.field}`;
  const colour = `colour: ${c.colourCalibrated ? 'calibrated' : 'not calibrated'}`;
  const tiles = c.tiles !== null && c.tiles > 1 ? ` · ${c.tiles} tiles` : '';
  const held = c.status === 'held' && c.message !== null ? ` · ${c.message}` : '';
  return `${scale} · ${field} · ${colour}${tiles}${held}`;
}

/** Overlay labels follow the cells' size (src/track/scale.ts), within [0.7, 1.3] so they stay readable. Pure. */
export function overlayLabelScale(c: CalibrationHealth | null | undefined): number {
  if (c === null || c === undefined || c.umPerPx === null) return 1;
  return Math.min(1.3, Math.max(0.7, scaleRelativeToBccd(RBC_DIAMETER_UM / c.umPerPx)));
}

export class CalibrationView extends OperatorGated {
  readonly element: HTMLElement;
  private readonly text: HTMLElement;
  private readonly button: HTMLButtonElement;
  private available = false;

  constructor(send: (request: Request) => void) {
    super();
    this.text = h('span', { 'data-testid': 'stat-calibration' }, 'off');
    this.button = h('button', { class: 'btn', 'data-testid': 'ctl-recalibrate', title: 'measure scale, field and colour again (after changing the objective)', onclick: () => send({ type: 'recalibrate' }) }, '⟳ Recalibrate');
    this.element = h('div', { class: 'calibration' }, h('span', { class: 'calibration-label' }, 'Calibration'), this.text, this.button);
    this.render();
  }

  update(c: CalibrationHealth | null | undefined): void {
    const t = calibrationText(c);
    if (this.text.textContent !== t) this.text.textContent = t;
    this.text.classList.toggle('warn', c?.status === 'held' || (c?.status === 'calibrating' && c.message !== null));
    this.text.title = c?.message ?? '';
    this.available = c !== null && c !== undefined && c.status !== 'off';
    this.render();
  }

  protected render(): void {
    this.button.disabled = !(this.canOperate && this.available);
  }
}
