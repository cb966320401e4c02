/**
 * The live view: the latest frame on a canvas with the overlay of the SAME
 * frame (matched by seq). JPEG decoding is latest-wins: while one decodes,
 * only the newest waiting frame is kept.
 */
import type { FrameHeader, ServerMessageOf } from '../../src/stream/protocol.js';
import { colourOf, isLeukocyteClass } from './colours.js';
import { h } from './dom.js';
import { labelRect } from './label-rect.js';
import { stagePacePercent, stageTooFast } from './stage-pace.js';

type Overlay = ServerMessageOf<'overlay'>;

/** Overlays kept while waiting for their frame. */
const OVERLAY_HISTORY = 90;
/** An older overlay is used for a frame only if it is at most this many frames older. */
const MAX_OVERLAY_LAG = 10;

export class LiveView {
  readonly element: HTMLElement;
  private readonly canvas: HTMLCanvasElement;
  private readonly ctx: CanvasRenderingContext2D;
  private readonly placeholder: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly paceWarning: HTMLElement;
  private readonly overlays = new Map<number, Overlay>();
  private bitmap: ImageBitmap | null = null;
  private header: FrameHeader | null = null;
  private decoding = false;
  private waiting: { header: FrameHeader; jpeg: Uint8Array } | null = null;
  private drawScheduled = false;
  private showOthers = true;
  framesShown = 0;

  constructor() {
    this.canvas = h('canvas', { class: 'live-canvas', 'aria-label': 'Live microscope view with detected cells' });
    const ctx = this.canvas.getContext('2d');
    if (ctx === null) throw new Error('canvas 2D is not available in this browser');
    this.ctx = ctx;
    this.placeholder = h('div', { class: 'live-placeholder' }, 'Waiting for frames…');
    this.badge = h('div', { class: 'live-badge' }, '');
    this.paceWarning = h('div', { class: 'live-warning', role: 'status', hidden: true }, '');
    const toggle = h('label', { class: 'live-toggle' },
      h('input', {
        type: 'checkbox',
        checked: true,
        onchange: (ev: Event) => {
          this.showOthers = (ev.target as HTMLInputElement).checked;
          this.scheduleDraw();
        },
      }),
      ' RBC & platelets',
    );
    this.element = h('div', { class: 'live-view' }, this.canvas, this.placeholder, this.badge, this.paceWarning, toggle);
    new ResizeObserver(() => this.scheduleDraw()).observe(this.element);
  }

  onFrame(header: FrameHeader, jpeg: Uint8Array): void {
    if (this.decoding) {
      this.waiting = { header, jpeg };
      return;
    }
    void this.decode(header, jpeg);
  }

  onOverlay(overlay: Overlay): void {
    this.overlays.set(overlay.seq, overlay);
    if (this.overlays.size > OVERLAY_HISTORY) {
      const oldest = this.overlays.keys().next().value as number;
      this.overlays.delete(oldest);
    }
    if (this.header !== null && overlay.seq === this.header.seq) this.scheduleDraw();
  }

  /** Label size factor from the calibration (calibration-view.ts overlayLabelScale): smaller cells, smaller labels. */
  labelScale = 1;

  /** Stage pace from the health message (>1: too fast for the detector): a warning over the view. */
  onStagePace(pace: number | null): void {
    this.paceWarning.hidden = !stageTooFast(pace);
    if (pace !== null && stageTooFast(pace)) this.paceWarning.textContent = `Stage moving too fast for the detector (${stagePacePercent(pace)}): slow down, or cells are missed`;
  }

  reset(): void {
    this.overlays.clear();
    this.scheduleDraw();
  }

  private async decode(header: FrameHeader, jpeg: Uint8Array): Promise<void> {
    this.decoding = true;
    try {
      const bitmap = await createImageBitmap(new Blob([jpeg as BlobPart], { type: 'image/jpeg' }));
      this.bitmap?.close();
      this.bitmap = bitmap;
      this.header = header;
      this.framesShown++;
      this.scheduleDraw();
    } catch (err) {
      console.warn('leukoscan: a frame could not be decoded', err);
    } finally {
      this.decoding = false;
      const next = this.waiting;
      this.waiting = null;
      if (next !== null) void this.decode(next.header, next.jpeg);
    }
  }

  private overlayFor(seq: number): { overlay: Overlay; exact: boolean } | null {
    const exact = this.overlays.get(seq);
    if (exact !== undefined) return { overlay: exact, exact: true };
    let best: Overlay | null = null;
    for (const o of this.overlays.values()) {
      if (o.seq < seq && seq - o.seq <= MAX_OVERLAY_LAG && (best === null || o.seq > best.seq)) best = o;
    }
    return best === null ? null : { overlay: best, exact: false };
  }

  private scheduleDraw(): void {
    if (this.drawScheduled) return;
    this.drawScheduled = true;
    requestAnimationFrame(() => {
      this.drawScheduled = false;
      this.draw();
    });
  }

  private draw(): void {
    const rect = this.canvas.getBoundingClientRect();
    const dpr = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(rect.width * dpr));
    const height = Math.max(1, Math.round(rect.height * dpr));
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    const ctx = this.ctx;
    ctx.fillStyle = '#05070b';
    ctx.fillRect(0, 0, width, height);
    if (this.bitmap === null || this.header === null) return;
    this.placeholder.hidden = true;

    // Fit the frame inside the canvas, keeping its aspect.
    const scale = Math.min(width / this.header.width, height / this.header.height);
    const drawW = this.header.width * scale;
    const drawH = this.header.height * scale;
    const offX = (width - drawW) / 2;
    const offY = (height - drawH) / 2;
    ctx.drawImage(this.bitmap, offX, offY, drawW, drawH);

    const found = this.overlayFor(this.header.seq);
    this.badge.textContent = `frame ${this.header.seq}${found === null ? ' · no overlay' : found.exact ? '' : ` · overlay of ${found.overlay.seq}`}`;
    if (found === null) return;
    const o = found.overlay;
    const sx = drawW / o.sourceWidth;
    const sy = drawH / o.sourceHeight;
    const lw = Math.max(1.5, 2 * dpr);
    ctx.font = `600 ${Math.round(11 * dpr * this.labelScale)}px system-ui, sans-serif`;
    ctx.textBaseline = 'bottom';
    for (const cell of o.cells) {
      const leuko = isLeukocyteClass(cell.type);
      if (!leuko && !this.showOthers) continue;
      const [x1, y1, x2, y2] = cell.box;
      const x = offX + x1 * sx;
      const y = offY + y1 * sy;
      const w = (x2 - x1) * sx;
      const bh = (y2 - y1) * sy;
      const colour = colourOf(cell.type);
      ctx.strokeStyle = colour;
      ctx.globalAlpha = found.exact ? 1 : 0.6;
      if (!leuko) {
        ctx.lineWidth = lw * 0.5;
        ctx.setLineDash([]);
        ctx.strokeRect(x, y, w, bh);
        continue;
      }
      ctx.lineWidth = cell.counted ? lw * 1.6 : lw;
      ctx.setLineDash(cell.counted ? [] : [6 * dpr, 4 * dpr]);
      ctx.strokeRect(x, y, w, bh);
      ctx.setLineDash([]);
      const label = `${cell.counted ? '✓ ' : ''}${cell.type} #${cell.trackId}`;
      const r = labelRect(
        { x: x - lw / 2, y, w, h: bh },
        ctx.measureText(label).width + 8 * dpr,
        15 * dpr * this.labelScale,
        { x: offX, y: offY, w: drawW, h: drawH },
      );
      ctx.fillStyle = colour;
      ctx.fillRect(r.x, r.y, r.w, r.h);
      ctx.fillStyle = '#0b0f17';
      ctx.fillText(label, r.x + 4 * dpr, r.y + r.h - 2 * dpr);
    }
    ctx.globalAlpha = 1;
  }
}
