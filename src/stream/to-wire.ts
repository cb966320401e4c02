/**
 * Session events → wire messages (protocol.ts), pure: the state-like events
 * (overlay, differential, status, health) and a counted cell's update. Frames,
 * counted cells and resets carry server state (JPEG encoding, the gallery) and
 * are mapped by the server itself.
 */
import type { Differential, DifferentialRow } from '../track/types.js';
import { PROTOCOL_VERSION, type DifferentialBody, type DifferentialRow as WireRow, type ServerMessage, type ServerMessageOf } from './protocol.js';
import type { SessionEvent } from './session.js';
import { isSimUri } from './sources.js';

export type WireEvent = Extract<SessionEvent, { kind: 'overlay' | 'differential' | 'status' | 'health' | 'cell-updated' }>;

export interface ToWireOptions {
  /** Which slide sim: sources scan; added to status messages of a sim: source. */
  readonly slide?: string;
}

export function toWire(event: Extract<WireEvent, { kind: 'overlay' }>, options?: ToWireOptions): ServerMessageOf<'overlay'>;
export function toWire(event: Extract<WireEvent, { kind: 'differential' }>, options?: ToWireOptions): ServerMessageOf<'differential'>;
export function toWire(event: Extract<WireEvent, { kind: 'status' }>, options?: ToWireOptions): ServerMessageOf<'status'>;
export function toWire(event: Extract<WireEvent, { kind: 'health' }>, options?: ToWireOptions): ServerMessageOf<'health'>;
export function toWire(event: Extract<WireEvent, { kind: 'cell-updated' }>, options?: ToWireOptions): ServerMessageOf<'cellUpdated'>;
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
  }
}

/** A differential (src/track's one type) as the wire carries it, against the scan's target. */
export function toDifferentialBody(d: Differential, target: number): DifferentialBody {
  return { total: d.total, target, rows: toWireRows(d.rows), ciMethod: d.ciMethod };
}

/** A differential's rows (ci95 in percent) as the protocol's rows (ciLow / ciHigh in percent). */
export function toWireRows(rows: readonly DifferentialRow[]): WireRow[] {
  return rows.map((r) => ({ type: r.type, count: r.count, percent: r.percent, ciLow: r.ci95.low, ciHigh: r.ci95.high }));
}
