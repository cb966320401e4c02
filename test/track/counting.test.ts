import { describe, expect, it } from 'vitest';
import type { LeukocyteType } from '../../src/core/classes.js';
import { runScript, times, type SlideDet, type Step } from './script.js';

// Slide coordinates. The frame is 400 x 300; a frame at pose (x, y) sees slide [x, x+400) x [y, y+300).
const A: SlideDet = [500, 100, 560, 160, 'NEU', 0.9]; // a neutrophil
const B: SlideDet = [620, 120, 680, 180, 'LYM', 0.8]; // a lymphocyte beside it
const AT = (dx: number, dy = 0): readonly [number, number] => [300 + dx, 0 + dy]; // A fully in view at dx = 0
const away: Step = { pose: [1200, 0], dets: [] }; // A and B out of view
const shifted = (d: SlideDet, dx: number, dy = 0): SlideDet => [d[0] + dx, d[1] + dy, d[2] + dx, d[3] + dy, d[4], d[5]];

const cases: [string, Step[], number, Partial<Record<LeukocyteType, number>>][] = [
  // [case, frames, total counted, per type]
  // A cell enters from the right edge (cut), then is fully seen: counted once, after 3 full views.
  ['cell enters', [{ pose: AT(230), dets: [A] }, { pose: AT(200), dets: [A] }, ...times(4, { pose: AT(100), dets: [A] })], 1, { NEU: 1 }],
  // Too few full views for the policy (3): not counted.
  ['seen too briefly', times(2, { pose: AT(0), dets: [A] }), 0, {}],
  // The stage pauses on the cell for many frames: still one cell.
  ['stage pauses', times(30, { pose: AT(0), dets: [A] }), 1, { NEU: 1 }],
  // The cell leaves the view and comes back later: the slide map remembers it.
  ['cell leaves and returns', [...times(4, { pose: AT(0), dets: [A] }), ...times(5, away), ...times(4, { pose: AT(-50), dets: [A] })], 1, { NEU: 1 }],
  // Back-and-forth over the same cell: one cell.
  ['back and forth', [0, 20, 40, 20, 0, 20, 40].map((dx) => ({ pose: AT(dx), dets: [A] })), 1, { NEU: 1 }],
  // A cell only ever cut by the frame edge is never typed or counted.
  ['cell on the edge', times(10, { pose: AT(230), dets: [A] }), 0, {}],
  // A jump with no overlap: segment 1 has its own map; a cell at the same slide coordinates is another cell.
  ['jump starts a new segment', [...times(4, { pose: AT(0), dets: [A] }), { pose: AT(0), segment: 1, motion: 'jump', dets: [A] }, ...times(3, { pose: AT(0), segment: 1, dets: [A] })], 2, { NEU: 2 }],
  // Blurred frames create no counts.
  ['blur only', times(10, { pose: AT(0), sharp: false, dets: [A] }), 0, {}],
  // Blur then focus: counted from the sharp views only.
  ['blur then sharp', [...times(5, { pose: AT(0), sharp: false, dets: [A] }), ...times(3, { pose: AT(0), dets: [A] })], 1, { NEU: 1 }],
  // Low detector scores fail the mean-score policy (0.25; above the registry's 0.15 floor).
  ['low scores', times(6, { pose: AT(0), dets: [[500, 100, 560, 160, 'NEU', 0.2]] }), 0, {}],
  // One box under two classes (top-k over queries x classes) is one cell, typed by the larger vote.
  ['two classes for one box', times(4, { pose: AT(0), dets: [A, [501, 101, 561, 161, 'LYM', 0.4]] }), 1, { NEU: 1 }],
  // A noisy detector's nested boxes of different extent on one cell (IoU < 0.6) are one cell.
  ['nested duplicate boxes', times(5, { pose: AT(0), dets: [A, [485, 80, 575, 175, 'NEU', 0.7], [510, 95, 550, 165, 'EOS', 0.5]] }), 1, { NEU: 1 }],
  // A duplicate box appearing only after the cell exists (matched elsewhere) does not make a second cell.
  ['late duplicate box', [...times(3, { pose: AT(0), dets: [A] }), ...times(4, { pose: AT(0), dets: [A, [480, 90, 570, 170, 'LYM', 0.6]] })], 1, { NEU: 1 }],
  // Two neighbouring cells are two cells.
  ['two cells', times(4, { pose: AT(0), dets: [A, B] }), 2, { NEU: 1, LYM: 1 }],
  // Frames skipped by the detector neither count nor break the track.
  ['detector skips frames', [{ pose: AT(0), dets: [A] }, { pose: AT(5), dets: null }, { pose: AT(10), dets: [A] }, { pose: AT(15), dets: null }, { pose: AT(20), dets: [A] }], 1, { NEU: 1 }],
  // Registration drift of 15 px by the time the stage returns: still the same cell.
  ['return with drift', [...times(4, { pose: AT(0), dets: [A] }), ...times(3, away), ...times(4, { pose: AT(0), dets: [shifted(A, 15, -10)] })], 1, { NEU: 1 }],
  // Red cells and platelets are not leukocytes.
  ['non-leukocytes ignored', times(5, { pose: AT(0), dets: [[500, 100, 560, 160, 'RBC', 0.9]] }), 0, {}],
  // Votes are confidence-weighted: 3 x NEU 0.9 outweigh 4 x MON 0.5.
  ['weighted vote', [...times(3, { pose: AT(0), dets: [A] }), ...times(4, { pose: AT(0), dets: [[500, 100, 560, 160, 'MON', 0.55]] })], 1, { NEU: 1 }],
];

describe('counting: each leukocyte once', () => {
  it.each(cases)('%s', (_name, steps, total, perType) => {
    const { last } = runScript(steps);
    const d = last.frame.differential;
    expect(d.total).toBe(total);
    for (const [t, n] of Object.entries(d.counts)) expect(n.count, t).toBe(perType[t as LeukocyteType] ?? 0);
  });
});

describe('counting events', () => {
  it('emits cell-counted once, with an RGB crop of a full view, then differential-changed', () => {
    const { events } = runScript(times(8, { pose: AT(0), dets: [A] }));
    const counted = events.filter((e) => e.kind === 'cell-counted');
    expect(counted).toHaveLength(1);
    const e = counted[0];
    if (e.kind !== 'cell-counted') throw new Error('unreachable');
    expect(e.cell).toMatchObject({ type: 'NEU', segment: 0, slideX: 530, slideY: 130 });
    expect(e.crop).toMatchObject({ format: 'rgb24', width: 60, height: 60 });
    expect(events.map((x) => x.kind)).toEqual(['segment-started', 'cell-counted', 'differential-changed']);
  });

  it('emits cell-retyped when later votes change the type of a counted cell', () => {
    const lym: SlideDet = [500, 100, 560, 160, 'LYM', 0.9];
    const { events, last } = runScript([...times(3, { pose: AT(0), dets: [A] }), ...times(5, { pose: AT(0), dets: [lym] })]);
    const retyped = events.filter((e) => e.kind === 'cell-retyped');
    expect(retyped).toHaveLength(1);
    expect(retyped[0]).toMatchObject({ previousType: 'NEU', cell: { type: 'LYM' } });
    expect(last.frame.differential.counts.LYM.count).toBe(1);
    expect(last.frame.differential.counts.NEU.count).toBe(0);
  });

  it('emits target-reached once when the target is reached', () => {
    const { events, last } = runScript(times(10, { pose: AT(0), dets: [A, B] }), { count: { target: 2 } });
    expect(events.filter((e) => e.kind === 'target-reached')).toHaveLength(1);
    expect(last.frame.differential).toMatchObject({ total: 2, target: 2, progress: 1, done: true });
  });

  it('emits segment-started at the start and at each jump', () => {
    const { events } = runScript([{ pose: AT(0), dets: [] }, { pose: AT(0), segment: 1, motion: 'jump', dets: [] }]);
    expect(events.filter((e) => e.kind === 'segment-started').map((e) => (e.kind === 'segment-started' ? [e.segment, e.reason] : null))).toEqual([[0, 'start'], [1, 'jump']]);
  });

  it('follows a configurable policy (min observations)', () => {
    const steps = times(2, { pose: AT(0), dets: [A] });
    expect(runScript(steps, { count: { minObservations: 2 } }).last.frame.differential.total).toBe(1);
    expect(runScript(steps, { count: { minObservations: 3 } }).last.frame.differential.total).toBe(0);
  });
});
