/** Operator controls: start / pause / stop / reset, target and source. Read-only viewers see them disabled. */
import type { ServerMessageOf } from '../../src/stream/protocol.js';
import type { Request } from './connection.js';
import { h } from './dom.js';
import { OperatorGated } from './operator-gated.js';

type Status = ServerMessageOf<'status'>;

export class Controls extends OperatorGated {
  readonly element: HTMLElement;
  private readonly buttons: Record<'start' | 'pause' | 'stop' | 'reset', HTMLButtonElement>;
  private readonly target: HTMLInputElement;
  private readonly source: HTMLInputElement;
  private readonly setTarget: HTMLButtonElement;
  private readonly setSource: HTMLButtonElement;
  private readonly note: HTMLElement;
  private status: Status | null = null;

  constructor(private readonly send: (request: Request) => void) {
    super();
    const btn = (type: 'start' | 'pause' | 'stop' | 'reset', label: string, cls: string) =>
      h('button', {
        class: `btn ${cls}`,
        'data-testid': `ctl-${type}`,
        onclick: () => {
          if (type === 'reset' && !confirm('Reset the differential? Counted cells of this scan are cleared from the live view.')) return;
          this.send({ type });
        },
      }, label);
    this.buttons = {
      start: btn('start', '▶ Start', 'primary'),
      pause: btn('pause', '❚❚ Pause', ''),
      stop: btn('stop', '■ Stop', ''),
      reset: btn('reset', '↺ Reset', 'danger'),
    };
    this.target = h('input', { type: 'number', min: 1, max: 100000, step: 1, value: 100, inputmode: 'numeric', 'aria-label': 'Target count' });
    this.setTarget = h('button', {
      class: 'btn',
      onclick: () => {
        const target = Number(this.target.value);
        if (Number.isInteger(target) && target >= 1) this.send({ type: 'setTarget', target });
      },
    }, 'Set');
    this.source = h('input', { type: 'text', placeholder: 'sim:…, /dev/video0, rtsp://…', 'aria-label': 'Source', spellcheck: false });
    this.setSource = h('button', {
      class: 'btn',
      onclick: () => {
        const source = this.source.value.trim();
        if (source.length > 0) this.send({ type: 'setSource', source });
      },
    }, 'Switch');
    this.note = h('div', { class: 'controls-note' });
    this.element = h('div', { class: 'controls' },
      h('div', { class: 'controls-row' }, this.buttons.start, this.buttons.pause, this.buttons.stop, this.buttons.reset),
      h('div', { class: 'controls-row field' }, h('label', {}, 'Target'), this.target, this.setTarget),
      h('div', { class: 'controls-row field' }, h('label', {}, 'Source'), this.source, this.setSource),
      this.note,
    );
    this.render();
  }

  setStatus(status: Status): void {
    const first = this.status === null;
    this.status = status;
    if (first || document.activeElement !== this.target) this.target.value = String(status.target);
    if (first || document.activeElement !== this.source) this.source.value = status.source;
    this.render();
  }

  protected render(): void {
    const operator = this.canOperate;
    const scan = this.status?.scan ?? 'idle';
    this.buttons.start.disabled = !operator || scan === 'running';
    this.buttons.start.textContent = scan === 'paused' ? '▶ Resume' : '▶ Start';
    this.buttons.pause.disabled = !operator || scan !== 'running';
    this.buttons.stop.disabled = !operator || !(scan === 'running' || scan === 'paused');
    this.buttons.reset.disabled = !operator;
    for (const el of [this.target, this.setTarget, this.source, this.setSource]) el.disabled = !operator;
    this.note.textContent = this.role === 'operator' ? '' : 'Read-only view: the operator token is needed to control the scan.';
  }
}
