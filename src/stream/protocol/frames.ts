/** Binary frame messages: [u32 BE header length][header JSON][JPEG]. Part of the wire protocol (src/stream/protocol.ts re-exports it; browser-safe: no node: imports). */
import { type FrameHeader, FrameHeaderSchema } from './events.js';
import { describeIssues } from './fields.js';

const FRAME_HEADER_LENGTH_BYTES = 4;
const MAX_FRAME_HEADER_BYTES = 4096;

/** [u32 BE header length][header JSON][JPEG]. Built once per frame and shared by all viewers. */
export function encodeFrameMessage(header: FrameHeader, jpeg: Uint8Array): Uint8Array {
  const headerBytes = new TextEncoder().encode(JSON.stringify(header));
  const out = new Uint8Array(FRAME_HEADER_LENGTH_BYTES + headerBytes.length + jpeg.length);
  new DataView(out.buffer).setUint32(0, headerBytes.length, false);
  out.set(headerBytes, FRAME_HEADER_LENGTH_BYTES);
  out.set(jpeg, FRAME_HEADER_LENGTH_BYTES + headerBytes.length);
  return out;
}

export type DecodedFrame = { ok: true; header: FrameHeader; jpeg: Uint8Array } | { ok: false; error: string };

export function decodeFrameMessage(data: Uint8Array): DecodedFrame {
  if (data.length < FRAME_HEADER_LENGTH_BYTES) return { ok: false, error: 'frame message shorter than its header length' };
  const headerLength = new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, false);
  if (headerLength > MAX_FRAME_HEADER_BYTES || FRAME_HEADER_LENGTH_BYTES + headerLength > data.length) {
    return { ok: false, error: `frame header length ${headerLength} does not fit the ${data.length}-byte message` };
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data.subarray(FRAME_HEADER_LENGTH_BYTES, FRAME_HEADER_LENGTH_BYTES + headerLength)));
  } catch {
    return { ok: false, error: 'frame header is not valid JSON' };
  }
  const parsed = FrameHeaderSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `frame header: ${describeIssues(parsed.error)}` };
  return { ok: true, header: parsed.data, jpeg: data.subarray(FRAME_HEADER_LENGTH_BYTES + headerLength) };
}
