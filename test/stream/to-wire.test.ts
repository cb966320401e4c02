/** toWire: session events → protocol messages that the shared protocol accepts. */
import { describe, expect, it } from 'vitest';
import { parseServerMessage, PROTOCOL_VERSION } from '../../src/stream/protocol.js';
import type { SessionEvent } from '../../src/stream/session.js';
import { toWire, type WireEvent } from '../../src/stream/to-wire.js';

const SLIDE = 'demo slide: 20 BCCD fields, MIT';
const status = (source: string): Extract<SessionEvent, { kind: 'status' }> => ({
  kind: 'status',
  status: { scan: 'running', target: 100, source, scanId: '7', startedAtMs: 1000 },
});

describe('toWire', () => {
  // [event, the message it must become]
  const cases: [WireEvent, unknown][] = [
    [
      { kind: 'overlay', overlay: { seq: 3, sourceWidth: 640, sourceHeight: 480, cells: [{ trackId: 1, type: 'NEU', score: 0.9, box: [1, 2, 30, 40], counted: true }] } },
      { v: PROTOCOL_VERSION, type: 'overlay', seq: 3, sourceWidth: 640, sourceHeight: 480, cells: [{ trackId: 1, type: 'NEU', score: 0.9, box: [1, 2, 30, 40], counted: true }] },
    ],
    [
      { kind: 'differential', differential: { total: 1, target: 100, rows: [{ type: 'NEU', count: 1, percent: 100, ciLow: 20.7, ciHigh: 100 }], ciMethod: 'wilson' } },
      { v: PROTOCOL_VERSION, type: 'differential', total: 1, target: 100, rows: [{ type: 'NEU', count: 1, percent: 100, ciLow: 20.7, ciHigh: 100 }], ciMethod: 'wilson' },
    ],
    [
      { kind: 'health', health: { source: { uri: 'sim:', state: 'running', fps: 10, message: null }, pipeline: { fps: 10, detectFps: 1, detectMs: 800, droppedFrames: 9, stagePace: null } } },
      { v: PROTOCOL_VERSION, type: 'health', source: { uri: 'sim:', state: 'running', fps: 10, message: null }, pipeline: { fps: 10, detectFps: 1, detectMs: 800, droppedFrames: 9, stagePace: null } },
    ],
    [
      { kind: 'cell-updated', cellId: '7-1', cellType: 'LYM', review: { action: 'reclassify', newType: 'LYM' } },
      { v: PROTOCOL_VERSION, type: 'cellUpdated', cellId: '7-1', cellType: 'LYM', review: { action: 'reclassify', newType: 'LYM' } },
    ],
    [
      { kind: 'cell-retracted', cellId: '7:12', keptCellId: '7:3' },
      { v: PROTOCOL_VERSION, type: 'cellRetracted', cellId: '7:12', keptCellId: '7:3' },
    ],
    // a sim: source says which slide it scans
    [status('sim:'), { v: PROTOCOL_VERSION, type: 'status', scan: 'running', target: 100, source: 'sim:', scanId: '7', startedAtMs: 1000, slide: SLIDE }],
    // a camera does not
    [status('v4l2:///dev/video0'), { v: PROTOCOL_VERSION, type: 'status', scan: 'running', target: 100, source: 'v4l2:///dev/video0', scanId: '7', startedAtMs: 1000 }],
  ];
  it.each(cases)('%j', (event, expected) => {
    const message = toWire(event, { slide: SLIDE });
    expect(message).toEqual(expected);
    expect(parseServerMessage(JSON.stringify(message)).ok).toBe(true);
  });

  it('adds no slide when the server was given none', () => {
    expect(toWire(status('sim:'))).not.toHaveProperty('slide');
  });
});
