/**
 * Session events → wire messages (protocol.ts), pure: the state-like events
 * (overlay, differential, status, health) and a counted cell's update or retraction. Frames,
 * counted cells and resets carry server state (JPEG encoding, the gallery) and
 * are mapped by the server itself.
 */
import { PROTOCOL_VERSION, type ServerMessage, type ServerMessageOf } from './protocol.js';
import type { SessionEvent } from './session.js';
import { isSimUri } from './sources.js';

export type WireEvent = Extract<SessionEvent, { kind: 'overlay' | 'differential' | 'status' | 'health' | 'cell-updated' | 'cell-retracted' }>;

export interface ToWireOptions {
  /** Which slide sim: sources scan; added to status messages of a sim: source. */
  readonly slide?: string;
}

export function toWire(event: Extract<WireEvent, { kind: 'overlay' }>, options?: ToWireOptions): ServerMessageOf<'overlay'>;
export function toWire(event: Extract<WireEvent, { kind: 'differential' }>, options?: ToWireOptions): ServerMessageOf<'differential'>;
export function toWire(event: Extract<WireEvent, { kind: 'status' }>, options?: ToWireOptions): ServerMessageOf<'status'>;
export function toWire(event: Extract<WireEvent, { kind: 'health' }>, options?: ToWireOptions): ServerMessageOf<'health'>;
export function toWire(event: Extract<WireEvent, { kind: 'cell-updated' }>, options?: ToWireOptions): ServerMessageOf<'cellUpdated'>;
export function toWire(event: Extract<WireEvent, { kind: 'cell-retracted' }>, options?: ToWireOptions): ServerMessageOf<'cellRetracted'>;
export function toWire(event: WireEvent, options?: ToWireOptions): ServerMessage;
export function toWire(event: WireEvent, options: ToWireOptions = {}): ServerMessage {
  const v = PROTOCOL_VERSION;
  switch (event.kind) {
    case 'overlay': {
      const o = event.overlay;
      return { v, type: 'overlay', seq: o.seq, sourceWidth: o.sourceWidth, sourceHeight: o.sourceHeight, cells: [...o.cells] };
    }
    case 'differential': {
      const d = event.differential;
      return { v, type: 'differential', total: d.total, target: d.target, rows: [...d.rows], ciMethod: d.ciMethod };
    }
    case 'status': {
      const slide = options.slide !== undefined && isSimUri(event.status.source) ? { slide: options.slide } : {};
      return { v, type: 'status', ...event.status, ...slide };
    }
    case 'health':
      return { v, type: 'health', source: { ...event.health.source }, pipeline: { ...event.health.pipeline } };
    case 'cell-updated':
      return { v, type: 'cellUpdated', cellId: event.cellId, cellType: event.cellType, review: event.review };
    case 'cell-retracted':
      return { v, type: 'cellRetracted', cellId: event.cellId, keptCellId: event.keptCellId };
  }
}
