/** One decoded video frame: packed RGB24, row-major, `width * height * 3` bytes. */
export interface Frame {
  /** Monotonic sequence number within one source (restarts are not reset). */
  readonly seq: number;
  /** Capture time, milliseconds since the Unix epoch. */
  readonly timestampMs: number;
  readonly width: number;
  readonly height: number;
  /** RGB24 pixels, length = width * height * 3. */
  readonly rgb: Uint8Array;
}

export function assertFrame(frame: Frame): void {
  const expected = frame.width * frame.height * 3;
  if (frame.rgb.length !== expected) {
    throw new Error(`Frame ${frame.seq}: expected ${expected} RGB bytes for ${frame.width}x${frame.height}, got ${frame.rgb.length}`);
  }
}
