/**
 * The synthetic video of issue 25 item 6 (test/track/restart.test.ts, test/app/retraction-session.test.ts):
 * 90 frames across a synthetic slide holding 8 leukocytes, as a decoder shows them (sharp, grey
 * before a keyframe, or blurred), with oracle detections (the cells' slide boxes seen through each frame).
 */
import type { Frame } from '../../src/core/frame.js';
import { detections, FH, FW, type SlideDet } from './script.js';
import { blobCanvas, view } from './synthetic.js';

const canvas = blobCanvas(2000, 700, 11, 700);
/** The video: 90 frames across the slide at 15 px a frame (1,335 px: no overlap between its first and last view). */
export const VIDEO = Array.from({ length: 90 }, (_, i) => [20 + i * 15, 150] as const);
/** Eight leukocytes along the path, in slide pixels. */
export const CELLS: SlideDet[] = Array.from({ length: 8 }, (_, k) => [200 + k * 160, 260, 250 + k * 160, 310, k % 2 ? 'LYM' : 'NEU', 0.8] as const);

export type Shown = { kind: 'video'; i: number } | { kind: 'grey' } | { kind: 'blurred'; i: number };

export function render(s: Shown, seq: number): Frame {
  if (s.kind === 'grey') {
    // what a decoder shows before the first keyframe of a restarted stream: a flat grey picture
    return { seq, timestampMs: seq * 100, width: FW, height: FH, rgb: new Uint8Array(FW * FH * 3).fill(128) };
  }
  const [x, y] = VIDEO[s.i];
  return view(canvas, seq, x, y, FW, FH, s.kind === 'blurred' ? 4 : 0);
}

export function oracle(s: Shown) {
  if (s.kind === 'grey') return detections([], [0, 0]);
  const [x, y] = VIDEO[s.i];
  // blurred frames: the detector still finds the cells (the registry does not create cells from them)
  const inView = CELLS.filter((c) => c[2] > x && c[0] < x + FW && c[3] > y && c[1] < y + FH);
  return detections(inView, [x, y]);
}

export const video = (from: number, to = VIDEO.length): Shown[] => Array.from({ length: to - from }, (_, k) => ({ kind: 'video', i: from + k }));
export const grey = (n: number): Shown[] => Array.from({ length: n }, () => ({ kind: 'grey' }));
export const blurred = (from: number, n: number): Shown[] => Array.from({ length: n }, (_, k) => ({ kind: 'blurred', i: from + k }));

/** The restart comes after this many frames of the video. */
export const RESTART_AT = 70;
