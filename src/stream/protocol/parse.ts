/** Parsing text messages at the edge (never throws). Part of the wire protocol (src/stream/protocol.ts re-exports it; browser-safe: no node: imports). */
import { type ClientMessage, ClientMessageSchema } from './commands.js';
import { type ErrorCode, type ServerMessage, ServerMessageSchema } from './events.js';
import { describeIssues } from './fields.js';
import { PROTOCOL_LIMITS, PROTOCOL_VERSION } from './limits.js';

export type ParseResult<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; error: string; id?: string };

function peekId(value: unknown): string | undefined {
  if (typeof value === 'object' && value !== null && 'id' in value) {
    const id = (value as { id: unknown }).id;
    if (typeof id === 'string' && id.length <= PROTOCOL_LIMITS.MAX_ID_CHARS) return id;
  }
  return undefined;
}

/** Parses one viewer → server text message. Never throws. */
export function parseClientMessage(text: string): ParseResult<ClientMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_message', error: 'message is not valid JSON' };
  }
  const id = peekId(value);
  if (typeof value === 'object' && value !== null && 'v' in value && (value as { v: unknown }).v !== PROTOCOL_VERSION) {
    return {
      ok: false,
      code: 'unsupported_version',
      error: `protocol version ${JSON.stringify((value as { v: unknown }).v)} is not supported (server speaks v${PROTOCOL_VERSION})`,
      id,
    };
  }
  const parsed = ClientMessageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, code: 'bad_message', error: describeIssues(parsed.error), id };
  return { ok: true, message: parsed.data };
}

/** Parses one server → viewer text message (used by the UI and tests). Never throws. */
export function parseServerMessage(text: string): ParseResult<ServerMessage> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad_message', error: 'message is not valid JSON' };
  }
  const parsed = ServerMessageSchema.safeParse(value);
  if (!parsed.success) return { ok: false, code: 'bad_message', error: describeIssues(parsed.error) };
  return { ok: true, message: parsed.data };
}
