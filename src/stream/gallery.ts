/**
 * The dashboard's gallery: the last `limit` counted cells with their crops. The one owner of the
 * gallery's cells and of the few recent frames a crop is cut from when the session sends none.
 */
import type { Frame } from '../core/frame.js';
import { encodeCellCrop } from './jpeg.js';
import type { CountedCell } from './protocol.js';
import type { SessionCountedCell } from './session.js';

export interface GalleryOptions {
  /** Most cells kept (oldest dropped first). */
  readonly limit: number;
  /** Recent frames kept to cut crops from. */
  readonly frameCache: number;
  readonly crop: { readonly size: number; readonly marginFraction: number; readonly quality: number };
}

export class Gallery {
  private readonly cells: CountedCell[] = [];
  private readonly recentFrames: Frame[] = [];
  /** Bumped at each reset, so a crop still encoding for the old scan is not added to the new gallery. */
  private generation = 0;

  constructor(private readonly options: GalleryOptions) {}

  /** Keeps a frame a later counted cell may be cut from. */
  rememberFrame(frame: Frame): void {
    this.recentFrames.push(frame);
    if (this.recentFrames.length > this.options.frameCache) this.recentFrames.shift();
  }

  /** Adds a counted cell (its crop cut from a remembered frame if it has none); null if a reset came meanwhile. */
  async add(input: SessionCountedCell): Promise<CountedCell | null> {
    const generation = this.generation;
    let crop = input.cropJpeg;
    if (crop === null) {
      const frame = this.recentFrames.find((f) => f.seq === input.seq);
      if (frame !== undefined) crop = await encodeCellCrop(frame, input.box, this.options.crop).catch(() => null);
    }
    if (generation !== this.generation) return null;
    const { cropJpeg: _dropped, ...rest } = input;
    const cell: CountedCell = { ...rest, box: [...input.box], cropJpegBase64: crop === null ? null : Buffer.from(crop).toString('base64') };
    this.cells.push(cell);
    if (this.cells.length > this.options.limit) this.cells.shift();
    return cell;
  }

  /** A cell's type changed (retype or review). */
  update(cellId: string, type: CountedCell['type'], review: CountedCell['review']): void {
    const index = this.cells.findIndex((c) => c.cellId === cellId);
    if (index >= 0) this.cells[index] = { ...this.cells[index], type, review };
  }

  /** A cell's count was taken back (the tracker found it to be a cell counted earlier): it leaves the gallery. */
  remove(cellId: string): void {
    const index = this.cells.findIndex((c) => c.cellId === cellId);
    if (index >= 0) this.cells.splice(index, 1);
  }

  /** A new scan: the gallery empties. */
  reset(): void {
    this.generation++;
    this.cells.length = 0;
  }

  snapshot(): CountedCell[] {
    return [...this.cells];
  }
}
