/** Scripted frames for registry/counter tests: poses are given, not estimated. */
import type { LeukocyteType } from '../../src/core/classes.js';
import { MODEL_CLASSES } from '../../src/core/classes.js';
import type { DetectionsXyxyPixels } from '../../src/core/detections.js';
import type { CountPolicy, RegistryConfig } from '../../src/track/config.js';
import { Counter, countedCellsOf } from '../../src/track/counter.js';
import { CellRegistry } from '../../src/track/registry.js';
import type { CountedCell, CountUpdate, RegisteredFrame, StageMotion, TrackEvent } from '../../src/track/types.js';

export const FW = 400;
export const FH = 300;

/** A detection in SLIDE coordinates (the script converts it to the frame): [x1, y1, x2, y2, type, score]. */
export type SlideDet = readonly [number, number, number, number, LeukocyteType | 'RBC', number];

export interface Step {
  /** Slide position of the frame's top-left pixel. */
  readonly pose: readonly [number, number];
  readonly segment?: number;
  readonly motion?: StageMotion;
  readonly sharp?: boolean;
  /** null: the detector skipped this frame. */
  readonly dets: readonly SlideDet[] | null;
  /** Segment `segment`'s map joins this step's segment here: its slide pixels + offset are this map's. */
  readonly merged?: { readonly segment: number; readonly offset: readonly [number, number] };
}

/** Repeat a step n times. */
export const times = (n: number, step: Step): Step[] => Array.from({ length: n }, () => step);

export function detections(dets: readonly SlideDet[], pose: readonly [number, number]): DetectionsXyxyPixels {
  const boxes: number[] = [];
  for (const d of dets) {
    // what a detector sees: the part of the box inside the frame
    boxes.push(Math.max(0, d[0] - pose[0]), Math.max(0, d[1] - pose[1]), Math.min(FW, d[2] - pose[0]), Math.min(FH, d[3] - pose[1]));
  }
  return {
    kind: 'xyxy-pixels',
    imageWidth: FW,
    imageHeight: FH,
    boxes: new Float32Array(boxes),
    scores: new Float32Array(dets.map((d) => d[5])),
    classIds: new Int32Array(dets.map((d) => MODEL_CLASSES.indexOf(d[4]))),
    classNames: MODEL_CLASSES,
  };
}

export interface ScriptResult {
  counted: CountedCell[];
  events: TrackEvent[];
  last: CountUpdate;
}

export function runScript(steps: readonly Step[], options: { registry?: Partial<RegistryConfig>; count?: Partial<CountPolicy> } = {}): ScriptResult {
  const registry = new CellRegistry(options.registry);
  const counter = new Counter(options.count);
  const events: TrackEvent[] = [];
  let last = null as CountUpdate | null;
  steps.forEach((s, seq) => {
    const frame = { seq, timestampMs: 1000 + seq * 100, width: FW, height: FH, rgb: new Uint8Array(FW * FH * 3).fill(seq % 255) };
    const reg: RegisteredFrame = {
      frame,
      segment: s.segment ?? 0,
      pose: { x: s.pose[0], y: s.pose[1] },
      shift: { dx: 0, dy: 0 },
      confidence: 100,
      motion: s.motion ?? (seq === 0 ? 'start' : 'moving'),
      reversal: false,
      revisit: false,
      focus: s.sharp === false ? 1 : 100,
      sharp: s.sharp ?? true,
      ...(s.merged ? { merged: { segment: s.merged.segment, offset: { x: s.merged.offset[0], y: s.merged.offset[1] } } } : {}),
    };
    const tracked = registry.update(reg, s.dets === null ? null : detections(s.dets, s.pose), last?.frame.countedAt);
    const u = counter.update(tracked);
    events.push(...u.events);
    last = u;
  });
  return { counted: countedCellsOf(last!.frame), events, last: last! };
}
