/**
 * Issue 25 item 6: a segment merge takes a count back. When a segment's map runs onto another's
 * (`RegisteredFrame.merged`), the registry folds a cell found on both maps into one; when both were
 * counted, the one counted later is folded into the one counted first and the counter takes its
 * count back ('cell-retracted'). Scripted poses (test/track/script.ts), so only the registry and
 * the counter are under test.
 */
import { describe, expect, it } from 'vitest';
import type { LeukocyteType } from '../../src/core/classes.js';
import { Counter } from '../../src/track/counter.js';
import type { TrackedFrame, TrackEvent } from '../../src/track/types.js';
import { runScript, times, type SlideDet, type Step } from './script.js';

// Segment 0 sees the slide at pose AT; segment 1's map has its origin 300 px to the right of segment 0's,
// so a cell at x in segment 1 is at x + 300 in segment 0 (the merge's offset).
const AT: readonly [number, number] = [300, 0];
const OFFSET: readonly [number, number] = [300, 0];
const A: SlideDet = [500, 100, 560, 160, 'NEU', 0.9]; // segment 0's coordinates
const B: SlideDet = [620, 120, 680, 180, 'LYM', 0.8]; // beside A, not on it
const inSegment1 = (d: SlideDet, type: LeukocyteType = d[4] as LeukocyteType, score = d[5]): SlideDet => [d[0] - OFFSET[0], d[1] - OFFSET[1], d[2] - OFFSET[0], d[3] - OFFSET[1], type, score];

const firstPass = (n: number, dets: SlideDet[] = [A]): Step[] => times(n, { pose: AT, dets });
/** The new segment: a jump onto slide segment 0 has not mapped (as far as the registrar can tell), n frames. */
const newSegment = (n: number, dets: SlideDet[]): Step[] => [
  { pose: [0, 0], segment: 1, motion: 'jump', dets },
  ...times(n - 1, { pose: [0, 0], segment: 1, dets }),
];
/** The frame where segment 1 runs onto segment 0's map. */
const merge = (dets: SlideDet[] | null): Step => ({ pose: AT, segment: 0, merged: { segment: 1, offset: OFFSET }, dets });

type Row = [string, Step[], { total: number; retracted: number[]; kept?: number; types: Partial<Record<LeukocyteType, number>> }];

const rows: Row[] = [
  // [case, frames, what is counted after the merge; ids: cell 1 is A in segment 0, cell 2 the cell of segment 1]
  // Both counted (the joined-late restart): the second count is taken back, the first cell stays.
  ['both counted: the later count is taken back', [...firstPass(4), ...newSegment(4, [inSegment1(A)]), merge([A])], { total: 1, retracted: [2], kept: 1, types: { NEU: 1 } }],
  // The same with the detector skipping the merge frame: the merge still folds.
  ['both counted, detector skipped the merge frame', [...firstPass(4), ...newSegment(4, [inSegment1(A)]), merge(null)], { total: 1, retracted: [2], kept: 1, types: { NEU: 1 } }],
  // Only the new segment's cell was counted: it stays (no count to take back), the first views join it.
  ['only the later cell counted: it stays', [...firstPass(2), ...newSegment(4, [inSegment1(A)]), merge(null)], { total: 1, retracted: [], types: { NEU: 1 } }],
  // The new segment's cell was seen too briefly to count: folded into the counted one, nothing taken back.
  ['only the first cell counted: the other folds into it', [...firstPass(4), ...newSegment(2, [inSegment1(A)]), merge(null)], { total: 1, retracted: [], types: { NEU: 1 } }],
  // Two different cells (the new segment's cell lies beside A on the merged map): both stay counted.
  ['different cells: nothing taken back', [...firstPass(4), ...newSegment(4, [inSegment1(B)]), merge(null)], { total: 2, retracted: [], types: { NEU: 1, LYM: 1 } }],
  // No merge (the segments stay apart): two counts, as before.
  ['no merge: both stay', [...firstPass(4), ...newSegment(4, [inSegment1(A)])], { total: 2, retracted: [], types: { NEU: 2 } }],
];

describe('RETRACTION - a segment merge takes a double count back', () => {
  it.each(rows)('%s', (_case, steps, want) => {
    const { last, events, counted } = runScript(steps);
    expect(last.frame.differential.total).toBe(want.total);
    for (const [t, n] of Object.entries(last.frame.differential.counts)) expect(n.count, t).toBe(want.types[t as LeukocyteType] ?? 0);
    const retracted = events.filter((e): e is Extract<TrackEvent, { kind: 'cell-retracted' }> => e.kind === 'cell-retracted');
    expect(retracted.map((e) => e.cellId)).toEqual(want.retracted);
    if (want.kept !== undefined) expect(retracted[0].kept.id).toBe(want.kept);
    // the counted cells and the differential agree, and every counted cell is on one map after a merge
    expect(counted).toHaveLength(want.total);
    if (steps.at(-1)?.merged) expect(new Set(counted.map((c) => c.segment))).toEqual(new Set([0]));
  });

  it('the retraction comes in the merge frame, before the differential that no longer counts it', () => {
    const steps = [...firstPass(4), ...newSegment(4, [inSegment1(A)]), merge(null)];
    const { events } = runScript(steps);
    const mergeSeq = steps.length - 1;
    const atMerge = events.filter((e) => e.seq === mergeSeq);
    expect(atMerge.map((e) => e.kind)).toEqual(['cell-retracted', 'differential-changed']);
    const [r, d] = atMerge as [Extract<TrackEvent, { kind: 'cell-retracted' }>, Extract<TrackEvent, { kind: 'differential-changed' }>];
    expect(r).toMatchObject({ cellId: 2, type: 'NEU', countedSeq: 6, kept: { id: 1, type: 'NEU', countedSeq: 2, segment: 0 } });
    expect(r.differential.total).toBe(1);
    expect(d.differential.total).toBe(1);
    // before the merge both were counted
    const before = events.filter((e): e is Extract<TrackEvent, { kind: 'differential-changed' }> => e.kind === 'differential-changed' && e.seq < mergeSeq).at(-1);
    expect(before?.differential.total).toBe(2);
  });

  it('RETYPED, NOT SILENTLY - views taken over that change the kept cell\'s type are announced as cell-retyped', () => {
    // first pass: 3 views of NEU 0.9 (2.7); new segment: 4 views of LYM 0.8 (3.2) of the same cell
    const steps = [...firstPass(3), ...newSegment(4, [inSegment1(A, 'LYM', 0.8)]), merge(null)];
    const { events, last } = runScript(steps);
    const atMerge = events.filter((e) => e.seq === steps.length - 1);
    expect(atMerge.map((e) => e.kind)).toEqual(['cell-retracted', 'cell-retyped', 'differential-changed']);
    expect(atMerge[0]).toMatchObject({ kind: 'cell-retracted', cellId: 2, type: 'LYM', kept: { id: 1, type: 'LYM' } });
    expect(atMerge[1]).toMatchObject({ kind: 'cell-retyped', cell: { id: 1, type: 'LYM' }, previousType: 'NEU' });
    expect(last.frame.differential.total).toBe(1);
    expect(last.frame.differential.counts.LYM.count).toBe(1);
  });

  it('FOLD INTO AN UNCOUNTED CELL - the counter refuses a fold that would lose a count, and changes nothing', () => {
    const counter = new Counter();
    const frame = (seq: number, folded?: TrackedFrame['folded']): TrackedFrame => ({
      frame: { seq, timestampMs: seq, width: 10, height: 10, rgb: new Uint8Array(300) },
      segment: 0,
      pose: { x: 0, y: 0 },
      shift: { dx: 0, dy: 0 },
      confidence: 100,
      motion: seq === 0 ? 'start' : 'moving',
      reversal: false,
      revisit: false,
      focus: 100,
      sharp: true,
      detected: true,
      visible: [],
      cells: [
        { id: 1, segment: 0, slideBox: { x1: 0, y1: 0, x2: 5, y2: 5 }, observations: 3, fullObservations: 3, votes: { NEU: 2.7, LYM: 0, MON: 0, EOS: 0, BAS: 0 }, type: 'NEU', typeConfidence: 1, meanScore: 0.9, firstSeenSeq: 0, lastSeenSeq: 0, firstSeenMs: 0, lastSeenMs: 0, misses: 0, crop: null },
        { id: 2, segment: 0, slideBox: { x1: 6, y1: 6, x2: 9, y2: 9 }, observations: 1, fullObservations: 1, votes: { NEU: 0.9, LYM: 0, MON: 0, EOS: 0, BAS: 0 }, type: 'NEU', typeConfidence: 1, meanScore: 0.9, firstSeenSeq: 0, lastSeenSeq: 0, firstSeenMs: 0, lastSeenMs: 0, misses: 0, crop: null },
      ],
      ...(folded ? { folded } : {}),
    });
    expect(counter.update(frame(0)).frame.countedAt).toEqual(new Map([[1, 0]]));
    expect(() => counter.update(frame(1, [{ id: 1, into: 2 }]))).toThrow("cell 1 (counted) was folded into cell 2 (not counted): give the registry the counter's countedAt");
    expect(counter.update(frame(2)).frame.countedAt).toEqual(new Map([[1, 0]]));
  });
});
