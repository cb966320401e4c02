/**
 * FAKE live pipeline for session tests: frames of a static textured field and fixed detections,
 * pushed by the test (no ffmpeg, no model).
 */
import { Observable, type Subscriber } from 'rxjs';
import { MODEL_CLASSES } from '../../src/core/classes.js';
import type { DetectionsXyxyPixels } from '../../src/core/detections.js';
import type { Frame } from '../../src/core/frame.js';
import type { LiveEvent } from '../../src/pipeline/live-types.js';

export const W = 320;
export const H = 240;

/** A static, textured field (seeded noise blobs): registration locks on it; the stage is "paused". */
export function texturedFrame(seq: number): Frame {
  const rgb = new Uint8Array(W * H * 3);
  let s = 12345;
  const rand = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < W * H; i++) {
    const v = 120 + Math.floor(rand() * 100);
    rgb[i * 3] = v;
    rgb[i * 3 + 1] = v - 30;
    rgb[i * 3 + 2] = v + 20;
  }
  return { seq, timestampMs: 1_000_000 + seq * 100, width: W, height: H, rgb };
}

/** Two leukocytes well inside the frame: a NEU and a LYM, score 0.9. */
export function twoCells(): DetectionsXyxyPixels {
  return {
    kind: 'xyxy-pixels',
    imageWidth: W,
    imageHeight: H,
    boxes: new Float32Array([40, 40, 90, 90, 180, 100, 230, 150, 250, 20, 270, 40]),
    scores: new Float32Array([0.9, 0.9, 0.8]),
    classIds: new Int32Array([MODEL_CLASSES.indexOf('NEU'), MODEL_CLASSES.indexOf('LYM'), MODEL_CLASSES.indexOf('RBC')]),
    classNames: MODEL_CLASSES,
  };
}

/** FAKE live pipeline: each subscription gets a subscriber the test pushes LiveEvents into. */
export class ScriptedPipeline {
  subscribers: Subscriber<LiveEvent>[] = [];
  sources: string[] = [];
  get active(): Subscriber<LiveEvent> | undefined {
    return this.subscribers.filter((s) => !s.closed).at(-1);
  }
  factory = (source: string): Observable<LiveEvent> =>
    new Observable<LiveEvent>((subscriber) => {
      this.sources.push(source);
      this.subscribers.push(subscriber);
    });
  /** Pushes `n` frames, each followed by its detections; frame seqs start at `from` (a new capture restarts at 0). */
  push(n: number, from = 0): void {
    const sub = this.active;
    if (sub === undefined) throw new Error('no pipeline subscription');
    for (let i = 0; i < n; i++) {
      const frame = texturedFrame(from + i);
      sub.next({ type: 'frame', frame, sentToDetector: true });
      sub.next({
        type: 'detections',
        frame,
        detections: twoCells(),
        timing: { arrivalMs: 0, startedMs: 0, publishedMs: 0, latencyMs: 0, detectMs: 40 },
      });
    }
  }
}

