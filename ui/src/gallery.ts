/**
 * Gallery of counted cells, filterable by type, with review hooks: an operator
 * on a server with a store can reclassify, reject or restore a cell.
 */
import { LEUKOCYTE_TYPES, type LeukocyteType } from '../../src/core/classes.js';
import type { CountedCell, ReviewAction, ServerMessageOf } from '../../src/stream/protocol.js';
import { colourOf, nameOf } from './colours.js';
import { clear, h } from './dom.js';

/** Cells shown at most (the newest first). */
const GALLERY_MAX = 300;

export interface GalleryOptions {
  /** Called when an operator reviews a cell. */
  onReview(cellId: string, action: ReviewAction, newType?: LeukocyteType): void;
}

export class Gallery {
  readonly element: HTMLElement;
  private readonly tabs: HTMLElement;
  private readonly grid: HTMLElement;
  private readonly popover: HTMLElement;
  private cells: CountedCell[] = [];
  private filter: LeukocyteType | 'ALL' = 'ALL';
  private canReview = false;
  private reviewNote = 'Review needs the operator token';

  constructor(private readonly options: GalleryOptions) {
    this.tabs = h('div', { class: 'gallery-tabs', role: 'tablist' });
    this.grid = h('div', { class: 'gallery-grid', 'data-testid': 'gallery' });
    this.popover = h('div', { class: 'review-popover', hidden: true });
    this.element = h('div', { class: 'gallery' }, this.tabs, this.grid, this.popover);
    document.addEventListener('click', (ev) => {
      if (!this.popover.hidden && !this.popover.contains(ev.target as Node)) this.popover.hidden = true;
    });
    this.render();
  }

  setReview(enabled: boolean, note: string): void {
    this.canReview = enabled;
    this.reviewNote = note;
    this.render();
  }

  replace(cells: readonly CountedCell[]): void {
    this.cells = [...cells].reverse().slice(0, GALLERY_MAX);
    this.render();
  }

  /** Adds one tile in place (no re-render of the others: their images and an open review stay put). */
  add(cell: CountedCell): void {
    this.cells.unshift(cell);
    if (this.cells.length > GALLERY_MAX) this.cells.length = GALLERY_MAX;
    this.renderTabs();
    if (this.filter !== 'ALL' && this.filter !== cell.type) return;
    this.grid.querySelector('.empty')?.remove();
    this.grid.prepend(this.tile(cell));
    while (this.grid.children.length > GALLERY_MAX) this.grid.lastElementChild?.remove();
  }

  update(message: ServerMessageOf<'cellUpdated'>): void {
    const i = this.cells.findIndex((c) => c.cellId === message.cellId);
    if (i < 0) return;
    const cell = { ...this.cells[i], type: message.cellType, review: message.review };
    this.cells[i] = cell;
    const existing = Array.from(this.grid.querySelectorAll<HTMLElement>('.tile')).find((el) => el.dataset.cellId === cell.cellId);
    if (existing !== undefined && (this.filter === 'ALL' || this.filter === cell.type)) {
      this.renderTabs();
      existing.replaceWith(this.tile(cell));
    } else {
      this.render();
    }
  }

  /** A cell's count was taken back (the tracker found it to be a cell counted earlier): its tile goes. */
  remove(cellId: string): void {
    const i = this.cells.findIndex((c) => c.cellId === cellId);
    if (i < 0) return;
    this.cells.splice(i, 1);
    this.render();
  }

  private render(): void {
    this.renderTabs();
    clear(this.grid);
    const shown = this.filter === 'ALL' ? this.cells : this.cells.filter((c) => c.type === this.filter);
    if (shown.length === 0) {
      this.grid.append(h('div', { class: 'empty' }, this.cells.length === 0 ? 'Counted cells appear here.' : 'No cells of this type yet.'));
      return;
    }
    for (const cell of shown) this.grid.append(this.tile(cell));
  }

  private renderTabs(): void {
    clear(this.tabs);
    const counts = new Map<string, number>();
    for (const c of this.cells) counts.set(c.type, (counts.get(c.type) ?? 0) + 1);
    for (const key of ['ALL', ...LEUKOCYTE_TYPES] as const) {
      const n = key === 'ALL' ? this.cells.length : counts.get(key) ?? 0;
      this.tabs.append(
        h('button', {
          class: `tab${this.filter === key ? ' active' : ''}`,
          role: 'tab',
          'aria-selected': this.filter === key ? 'true' : 'false',
          style: key === 'ALL' ? undefined : `--type-colour:${colourOf(key)}`,
          onclick: () => {
            this.filter = key;
            this.render();
          },
        }, key === 'ALL' ? 'All' : key, h('span', { class: 'tab-count' }, String(n))),
      );
    }
  }

  private tile(cell: CountedCell): HTMLElement {
    const rejected = cell.review?.action === 'reject';
    const img = cell.cropJpegBase64 === null
      ? h('div', { class: 'tile-noimg' }, 'no crop')
      : h('img', { src: `data:image/jpeg;base64,${cell.cropJpegBase64}`, alt: `${nameOf(cell.type)} #${cell.trackId}`, loading: 'lazy', width: 96, height: 96 });
    const tile = h('button', {
      class: `tile${rejected ? ' rejected' : ''}${cell.review ? ' reviewed' : ''}`,
      style: `--type-colour:${colourOf(cell.type)}`,
      title: this.canReview ? 'Review this cell' : this.reviewNote,
      'data-cell-id': cell.cellId,
      onclick: (ev: Event) => {
        ev.stopPropagation();
        this.openReview(cell, tile);
      },
    },
      img,
      h('span', { class: 'tile-label' }, cell.type, h('span', { class: 'tile-score' }, ` ${(cell.score * 100).toFixed(0)}%`)),
      cell.review ? h('span', { class: 'tile-review' }, rejected ? 'rejected' : 'reclassified') : null,
    );
    return tile;
  }

  private openReview(cell: CountedCell, anchor: HTMLElement): void {
    clear(this.popover);
    this.popover.append(h('div', { class: 'popover-title' }, `${nameOf(cell.type)} · track #${cell.trackId}`));
    if (!this.canReview) {
      this.popover.append(h('div', { class: 'popover-note' }, this.reviewNote));
    } else {
      const row = h('div', { class: 'popover-types' });
      for (const type of LEUKOCYTE_TYPES) {
        row.append(h('button', {
          class: 'type-btn',
          style: `--type-colour:${colourOf(type)}`,
          disabled: type === cell.type,
          onclick: () => {
            this.options.onReview(cell.cellId, 'reclassify', type);
            this.popover.hidden = true;
          },
        }, type));
      }
      this.popover.append(
        h('div', { class: 'popover-note' }, 'Reclassify as'),
        row,
        h('div', { class: 'popover-actions' },
          h('button', { class: 'btn danger', onclick: () => { this.options.onReview(cell.cellId, 'reject'); this.popover.hidden = true; } }, 'Reject'),
          cell.review ? h('button', { class: 'btn', onclick: () => { this.options.onReview(cell.cellId, 'restore'); this.popover.hidden = true; } }, 'Restore') : null,
        ),
      );
    }
    const box = anchor.getBoundingClientRect();
    const host = this.element.getBoundingClientRect();
    this.popover.style.left = `${Math.max(0, Math.min(box.left - host.left, host.width - 240))}px`;
    this.popover.style.top = `${box.bottom - host.top + 6}px`;
    this.popover.hidden = false;
  }
}
