/** Scan history: lists stored scans and opens one (its differential) — backed by src/store on the server. */
import type { ServerMessageOf } from '../../src/stream/protocol.js';
import type { Request } from './connection.js';
import { Gallery, type GalleryOptions } from './gallery.js';
import { colourOf } from './colours.js';
import { clear, formatPercent, formatTime, h } from './dom.js';

export class HistoryView {
  readonly element: HTMLElement;
  private readonly list: HTMLElement;
  private readonly detail: HTMLElement;
  /** Cells of the opened scan; reviewable like the live gallery. */
  readonly gallery: Gallery;
  private available = false;

  constructor(private readonly send: (request: Request) => string | null, review: GalleryOptions) {
    this.list = h('div', { class: 'history-list' }, h('div', { class: 'empty' }, 'Press Refresh to list past scans.'));
    this.detail = h('div', { class: 'history-detail' });
    this.gallery = new Gallery(review);
    this.gallery.element.hidden = true;
    this.element = h('div', { class: 'history' },
      h('div', { class: 'history-head' }, h('button', { class: 'btn', onclick: () => this.refresh() }, 'Refresh')),
      this.list,
      this.detail,
      this.gallery.element,
    );
  }

  setAvailable(available: boolean): void {
    this.available = available;
    if (!available) this.showNote('Scan history needs the scan store; this server has none.');
  }

  refresh(): void {
    if (!this.available) return;
    this.send({ type: 'listScans', limit: 50 });
  }

  showNote(text: string): void {
    clear(this.list);
    this.list.append(h('div', { class: 'empty' }, text));
  }

  showScans(message: ServerMessageOf<'scans'>): void {
    clear(this.list);
    if (message.scans.length === 0) {
      this.list.append(h('div', { class: 'empty' }, 'No stored scans yet.'));
      return;
    }
    for (const scan of message.scans) {
      this.list.append(
        h('button', { class: 'history-item', onclick: () => this.send({ type: 'openScan', scanId: scan.scanId }) },
          h('span', { class: 'history-when' }, formatTime(scan.startedAtMs)),
          h('span', { class: 'history-source' }, scan.source),
          h('span', { class: 'history-total' }, `${scan.total}${scan.target ? ` / ${scan.target}` : ''} cells`),
        ),
      );
    }
  }

  showScan(message: ServerMessageOf<'scan'>): void {
    const { summary, rows, cells } = message.scan;
    this.gallery.replace(cells);
    this.gallery.element.hidden = cells.length === 0;
    clear(this.detail);
    this.detail.append(
      h('div', { class: 'history-detail-title' }, `Scan ${summary.scanId} · ${formatTime(summary.startedAtMs)} · ${summary.total} cells`),
      h('div', { class: 'history-rows' },
        ...rows.map((r) => h('span', { class: 'history-row', style: `--type-colour:${colourOf(r.type)}` }, `${r.type} ${r.count} (${formatPercent(r.percent)})`)),
      ),
    );
  }
}
