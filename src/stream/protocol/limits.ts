/** Protocol version, limits, close codes and the shared enums (role, leukocyte type). Part of the wire protocol (src/stream/protocol.ts re-exports it; browser-safe: no node: imports). */
import * as z from 'zod';
import { LEUKOCYTE_TYPES } from '../../core/classes.js';

export const PROTOCOL_VERSION = 1 as const;

/** Limits that both ends agree on (the server's maxPayload is `MAX_CLIENT_MESSAGE_BYTES`). */
export const PROTOCOL_LIMITS = {
  /** Largest viewer → server message, in bytes; larger ones close the socket (1009). */
  MAX_CLIENT_MESSAGE_BYTES: 16 * 1024,
  MAX_ID_CHARS: 64,
  MAX_SOURCE_CHARS: 1024,
  MAX_CELL_ID_CHARS: 128,
  MAX_TARGET: 100_000,
  MAX_LIST_SCANS: 500,
} as const;

/** WebSocket close codes the server uses (RFC 6455 + application range). */
export const CLOSE_CODES = {
  NORMAL: 1000,
  GOING_AWAY: 1001,
  UNSUPPORTED_DATA: 1003,
  POLICY_VIOLATION: 1008,
  MESSAGE_TOO_BIG: 1009,
} as const;

export const LeukocyteTypeSchema = z.enum(LEUKOCYTE_TYPES);
export const RoleSchema = z.enum(['viewer', 'operator']);
export type Role = z.infer<typeof RoleSchema>;
