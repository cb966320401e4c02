import { describe, expect, it } from 'vitest';
import {
  PROTOCOL_LIMITS,
  PROTOCOL_VERSION,
  REQUIRED_ROLE,
  decodeFrameMessage,
  encodeFrameMessage,
  parseClientMessage,
  parseServerMessage,
  roleAllows,
  type FrameHeader,
} from '../../src/stream/protocol.js';

const v = PROTOCOL_VERSION;

describe('protocol: viewer → server messages', () => {
  // One row per case: the raw text, and the code (or the parsed type) expected.
  const rows: [string, string, string][] = [
    // valid commands
    ['start', JSON.stringify({ v, type: 'start' }), 'ok:start'],
    ['setTarget with id', JSON.stringify({ v, type: 'setTarget', target: 200, id: 'x1' }), 'ok:setTarget'],
    ['setSource', JSON.stringify({ v, type: 'setSource', source: 'rtsp://cam/1' }), 'ok:setSource'],
    ['review reject', JSON.stringify({ v, type: 'review', cellId: '1:2', action: 'reject' }), 'ok:review'],
    ['review reclassify', JSON.stringify({ v, type: 'review', cellId: '1:2', action: 'reclassify', newType: 'EOS' }), 'ok:review'],
    ['listScans', JSON.stringify({ v, type: 'listScans', limit: 10 }), 'ok:listScans'],
    ['openScan', JSON.stringify({ v, type: 'openScan', scanId: '3' }), 'ok:openScan'],
    // malformed
    ['not JSON', '{"v":1,', 'bad_message'],
    ['a JSON array', '[1,2]', 'bad_message'],
    ['null', 'null', 'bad_message'],
    ['no type', JSON.stringify({ v }), 'bad_message'],
    ['unknown type', JSON.stringify({ v, type: 'shutdown' }), 'bad_message'],
    ['extra key', JSON.stringify({ v, type: 'stop', force: true }), 'bad_message'],
    ['target not an integer', JSON.stringify({ v, type: 'setTarget', target: 1.5 }), 'bad_message'],
    ['target zero', JSON.stringify({ v, type: 'setTarget', target: 0 }), 'bad_message'],
    ['target too large', JSON.stringify({ v, type: 'setTarget', target: PROTOCOL_LIMITS.MAX_TARGET + 1 }), 'bad_message'],
    ['empty source', JSON.stringify({ v, type: 'setSource', source: '   ' }), 'bad_message'],
    ['source too long', JSON.stringify({ v, type: 'setSource', source: 'x'.repeat(PROTOCOL_LIMITS.MAX_SOURCE_CHARS + 1) }), 'bad_message'],
    ['reclassify without a type', JSON.stringify({ v, type: 'review', cellId: 'c', action: 'reclassify' }), 'bad_message'],
    ['reject with a type', JSON.stringify({ v, type: 'review', cellId: 'c', action: 'reject', newType: 'NEU' }), 'bad_message'],
    ['reclassify to a non-leukocyte', JSON.stringify({ v, type: 'review', cellId: 'c', action: 'reclassify', newType: 'RBC' }), 'bad_message'],
    ['id too long', JSON.stringify({ v, type: 'start', id: 'i'.repeat(PROTOCOL_LIMITS.MAX_ID_CHARS + 1) }), 'bad_message'],
    // versions
    ['missing version', JSON.stringify({ type: 'start' }), 'bad_message'],
    ['future version', JSON.stringify({ v: 2, type: 'start' }), 'unsupported_version'],
    ['version as a string', JSON.stringify({ v: '1', type: 'start' }), 'unsupported_version'],
  ];
  it.each(rows)('%s', (_name, text, expected) => {
    const result = parseClientMessage(text);
    if (expected.startsWith('ok:')) {
      expect(result.ok).toBe(true);
      if (result.ok) expect(result.message.type).toBe(expected.slice(3));
    } else {
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.code).toBe(expected);
    }
  });

  it('echoes the request id of an invalid message so the viewer can match the error', () => {
    const result = parseClientMessage(JSON.stringify({ v, type: 'setTarget', target: -1, id: 'req-7' }));
    expect(result).toMatchObject({ ok: false, code: 'bad_message', id: 'req-7' });
  });

  it('read-only viewers may only read: every command that changes the scan needs the operator', () => {
    const readOnly = Object.entries(REQUIRED_ROLE).filter(([, role]) => role === 'viewer').map(([type]) => type);
    expect(readOnly.sort()).toEqual(['listScans', 'openScan']);
    expect(roleAllows('viewer', 'start')).toBe(false);
    expect(roleAllows('viewer', 'review')).toBe(false);
    expect(roleAllows('operator', 'review')).toBe(true);
    expect(roleAllows('viewer', 'listScans')).toBe(true);
  });
});

describe('protocol: frame messages', () => {
  const header: FrameHeader = { v, type: 'frame', seq: 42, timestampMs: 1.5e12, width: 320, height: 240, sourceWidth: 640, sourceHeight: 480 };

  it('round-trips a header and JPEG bytes', () => {
    const jpeg = new Uint8Array([0xff, 0xd8, 1, 2, 3, 0xff, 0xd9]);
    const decoded = decodeFrameMessage(encodeFrameMessage(header, jpeg));
    expect(decoded).toEqual({ ok: true, header, jpeg });
  });

  it('TRUNCATED - rejects a message shorter than its header', () => {
    const full = encodeFrameMessage(header, new Uint8Array([1]));
    expect(decodeFrameMessage(full.subarray(0, 10))).toMatchObject({ ok: false });
    expect(decodeFrameMessage(new Uint8Array([0, 0]))).toEqual({ ok: false, error: 'frame message shorter than its header length' });
  });

  it('BAD HEADER - rejects a header that is not a valid frame header', () => {
    const bytes = new TextEncoder().encode(JSON.stringify({ ...header, width: -1 }));
    const msg = new Uint8Array(4 + bytes.length);
    new DataView(msg.buffer).setUint32(0, bytes.length);
    msg.set(bytes, 4);
    const decoded = decodeFrameMessage(msg);
    expect(decoded.ok).toBe(false);
    if (!decoded.ok) expect(decoded.error).toMatch(/^frame header: width/);
  });
});

describe('protocol: server → viewer messages', () => {
  it('validates what the server sends and rejects unknown shapes', () => {
    expect(parseServerMessage(JSON.stringify({ v, type: 'ack', command: 'start' })).ok).toBe(true);
    expect(parseServerMessage(JSON.stringify({ v, type: 'overlay', seq: 1, sourceWidth: 10, sourceHeight: 10, cells: [{ trackId: 1, type: 'NEU', score: 1, box: [0, 0, 1], counted: true }] })).ok).toBe(false);
    expect(parseServerMessage(JSON.stringify({ v, type: 'error', code: 'teapot', message: 'x' })).ok).toBe(false);
    // a count taken back: the cell and the cell it was one with, both by the wire's cell id
    expect(parseServerMessage(JSON.stringify({ v, type: 'cellRetracted', cellId: '7:12', keptCellId: '7:3' }))).toEqual({ ok: true, message: { v, type: 'cellRetracted', cellId: '7:12', keptCellId: '7:3' } });
    expect(parseServerMessage(JSON.stringify({ v, type: 'cellRetracted', cellId: '7:12' })).ok).toBe(false); // which cell stays is required
    expect(parseServerMessage(JSON.stringify({ v, type: 'cellRetracted', cellId: 12, keptCellId: '7:3' })).ok).toBe(false); // ids are strings
    expect(parseServerMessage(JSON.stringify({ v, type: 'cellRetracted', cellId: '7:12', keptCellId: '7:3', cellType: 'NEU' })).ok).toBe(false); // strict
    const health = (stagePace: unknown) => JSON.stringify({
      v, type: 'health',
      source: { uri: 'sim:', state: 'running', fps: 5, message: null },
      pipeline: { fps: 5, detectFps: 2, detectMs: 400, droppedFrames: 3, stagePace },
    });
    expect(parseServerMessage(health(0.7)).ok).toBe(true);
    expect(parseServerMessage(health(null)).ok).toBe(true);
    expect(parseServerMessage(health(-1)).ok).toBe(false);
    expect(parseServerMessage(health('fast')).ok).toBe(false);
  });
});
