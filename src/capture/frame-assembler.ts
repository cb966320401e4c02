import type { Frame } from '../core/frame.js';

export interface FrameAssemblerOptions {
  readonly width: number;
  readonly height: number;
  /** Sequence number of the first frame (so restarts keep counting). */
  readonly firstSeq?: number;
  /** Stamps each frame when its last byte arrives (ms since the Unix epoch). */
  readonly now: () => number;
}

/**
 * Cuts a raw RGB24 byte stream (ffmpeg `-f rawvideo -pix_fmt rgb24`) into frames.
 * Pure apart from the injected clock: chunks may split frames anywhere, and each
 * frame owns a fresh buffer (no aliasing of the chunk it came from).
 */
export class FrameAssembler {
  readonly frameBytes: number;
  private pending: Uint8Array;
  private filled = 0;
  private nextSeq: number;

  constructor(private readonly options: FrameAssemblerOptions) {
    if (!Number.isInteger(options.width) || !Number.isInteger(options.height) || options.width <= 0 || options.height <= 0) {
      throw new Error(`FrameAssembler: bad frame size ${options.width}x${options.height}`);
    }
    this.frameBytes = options.width * options.height * 3;
    this.pending = new Uint8Array(this.frameBytes);
    this.nextSeq = options.firstSeq ?? 0;
  }

  /** Sequence number the next complete frame will get. */
  get seq(): number {
    return this.nextSeq;
  }

  /** Bytes of an incomplete frame held back (non-zero at the end means a truncated frame). */
  get partialBytes(): number {
    return this.filled;
  }

  /** Feeds one chunk; returns the frames it completed (often zero or one). */
  push(chunk: Uint8Array): Frame[] {
    const frames: Frame[] = [];
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(this.frameBytes - this.filled, chunk.length - offset);
      this.pending.set(chunk.subarray(offset, offset + take), this.filled);
      this.filled += take;
      offset += take;
      if (this.filled === this.frameBytes) {
        frames.push({
          seq: this.nextSeq++,
          timestampMs: this.options.now(),
          width: this.options.width,
          height: this.options.height,
          rgb: this.pending,
        });
        this.pending = new Uint8Array(this.frameBytes);
        this.filled = 0;
      }
    }
    return frames;
  }

  /** Drops an incomplete frame (e.g. before a reconnect); returns how many bytes were dropped. */
  reset(): number {
    const dropped = this.filled;
    this.filled = 0;
    return dropped;
  }
}
