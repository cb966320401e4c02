/** Fields every message schema uses, and the issue summary of a failed parse (internal to src/stream/protocol/). Part of the wire protocol (src/stream/protocol.ts re-exports it; browser-safe: no node: imports). */
import * as z from 'zod';
import { PROTOCOL_LIMITS, PROTOCOL_VERSION } from './limits.js';

export const version = z.literal(PROTOCOL_VERSION);
/** Optional request id, echoed in the reply so a viewer can match it. */
export const requestId = z.string().min(1).max(PROTOCOL_LIMITS.MAX_ID_CHARS).optional();

/** The first three zod issues, as one line. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((i) => (i.path.length > 0 ? `${i.path.join('.')}: ${i.message}` : i.message))
    .join('; ');
}
