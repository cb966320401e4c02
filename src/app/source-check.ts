/**
 * Before a running scan is switched to a new source: parse it, then open it and read one frame
 * (the probe). On failure the command is refused with the reason and the current source named,
 * and nothing about the scan changes.
 */
import { redactUri } from '../capture/redact-uri.js';
import { SessionCommandError } from '../stream/session.js';

export interface SourceCheck {
  /** Throws (with a message for the operator) when a source URI cannot be parsed. */
  validateSource(source: string): void;
  /** Opens a source and reads one frame within a time limit; rejects with the reason. */
  probeSource?(source: string): Promise<void>;
}

export async function checkNewSource(check: SourceCheck, source: string, current: string): Promise<void> {
  try {
    check.validateSource(source);
  } catch (err) {
    throw new SessionCommandError((err as Error).message);
  }
  try {
    await check.probeSource?.(source);
  } catch (err) {
    throw new SessionCommandError(`cannot switch source: ${redactUri((err as Error).message)}; the scan goes on with ${redactUri(current)}`);
  }
}
