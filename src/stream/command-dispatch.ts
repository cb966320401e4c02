/**
 * A viewer's command (already parsed and authorised) run against the scan session, answered with
 * one server message: ack, scans, scan, or error. Never throws.
 */
import { type ClientMessage, type ErrorCode, PROTOCOL_VERSION, type ScanState, type ServerMessage } from './protocol.js';
import type { ScanSession } from './session.js';

export function errorMessage(code: ErrorCode, message: string, id?: string): ServerMessage {
  return { v: PROTOCOL_VERSION, type: 'error', code, message, ...(id !== undefined ? { id } : {}) };
}

/** `operator`: who made the change, for the review audit trail. */
export async function dispatchCommand(session: ScanSession, message: ClientMessage, operator: string): Promise<ServerMessage> {
  const id = message.id;
  const withId = id !== undefined ? { id } : {};
  const ack = (scan?: ScanState): ServerMessage => ({ v: PROTOCOL_VERSION, type: 'ack', ...withId, command: message.type, ...(scan ? { scan } : {}) });
  const notAvailable = (what: string) => errorMessage('not_available', `${what} is not available: this server has no scan store`, id);
  try {
    switch (message.type) {
      case 'start':
      case 'pause':
      case 'stop':
      case 'reset':
      case 'recalibrate':
        return ack((await session.execute({ type: message.type })).scan);
      case 'setTarget':
        return ack((await session.execute({ type: 'setTarget', target: message.target })).scan);
      case 'setSource':
        return ack((await session.execute({ type: 'setSource', source: message.source })).scan);
      case 'resumeInterrupted':
      case 'closeInterrupted':
        return ack((await session.execute({ type: message.type, scanId: message.scanId })).scan);
      case 'review': {
        if (session.history === null) return notAvailable('review');
        await session.history.review({
          cellId: message.cellId,
          action: message.action,
          ...(message.newType !== undefined ? { newType: message.newType } : {}),
          operator,
        });
        return ack();
      }
      case 'listScans': {
        if (session.history === null) return notAvailable('scan history');
        const scans = await session.history.listScans(message.limit ?? 50);
        return { v: PROTOCOL_VERSION, type: 'scans', ...withId, scans };
      }
      case 'openScan': {
        if (session.history === null) return notAvailable('scan history');
        const scan = await session.history.openScan(message.scanId);
        return { v: PROTOCOL_VERSION, type: 'scan', ...withId, scan };
      }
    }
    return ack();
  } catch (err) {
    return errorMessage('failed', `${message.type} failed: ${(err as Error).message}`, id);
  }
}
