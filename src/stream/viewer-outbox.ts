/**
 * What is waiting to go to ONE viewer, bounded whatever the viewer does.
 *
 * - State-like messages (frame, overlay, differential, status, health,
 *   metrics) have one slot each: a newer message replaces a waiting one (latest
 *   wins) and the replaced one is counted as dropped.
 * - Event-like messages (counted cells, gallery, replies, reviews) go through a
 *   FIFO of at most `maxQueuedEvents`; past it the oldest is dropped and counted.
 * - Nothing is handed to the socket while its `bufferedAmount` is at or above
 *   `maxBufferedBytes`. A stalled viewer therefore holds at most
 *   maxBufferedBytes + one message in its socket plus one message per slot
 *   and the bounded queue here; the pipeline never waits for it.
 *
 * Pure apart from the injected sink: tested without sockets.
 */

/** Kinds of latest-wins slots, in the order they are flushed. */
export const SLOT_KINDS = ['status', 'differential', 'overlay', 'frame', 'health', 'metrics'] as const;
export type SlotKind = (typeof SLOT_KINDS)[number];

export type OutboundData = string | Uint8Array;

/** The socket as the outbox sees it (ws.WebSocket fits after a thin adapter). */
export interface OutboxSink {
  /** Bytes handed to the socket but not yet written to the kernel. */
  readonly bufferedAmount: number;
  /** Whether the socket can still send. */
  readonly open: boolean;
  /** Sends; `written` is called once the data has left the socket's user-space buffer (or failed). */
  send(data: OutboundData, written: () => void): void;
}

export interface OutboxOptions {
  maxBufferedBytes: number;
  maxQueuedEvents: number;
}

export interface OutboxStats {
  /** Messages sent, per slot kind and 'event'. */
  readonly sent: Readonly<Record<SlotKind | 'event', number>>;
  /** Messages replaced or dropped before they could be sent, per kind. */
  readonly dropped: Readonly<Record<SlotKind | 'event', number>>;
}

function zeroCounts(): Record<SlotKind | 'event', number> {
  return { status: 0, differential: 0, overlay: 0, frame: 0, health: 0, metrics: 0, event: 0 };
}

export class ViewerOutbox {
  private readonly slots = new Map<SlotKind, OutboundData>();
  private readonly events: OutboundData[] = [];
  private readonly sent = zeroCounts();
  private readonly dropped = zeroCounts();
  private flushScheduled = false;
  private closed = false;

  constructor(
    private readonly sink: OutboxSink,
    private readonly options: OutboxOptions,
  ) {}

  /** Queues a latest-wins message; a waiting message of the same kind is dropped. */
  offer(kind: SlotKind, data: OutboundData): void {
    if (this.closed) return;
    if (this.slots.has(kind)) this.dropped[kind]++;
    this.slots.set(kind, data);
    this.flush();
  }

  /** Queues an event (kept in order); the oldest is dropped past the queue limit. */
  enqueue(data: OutboundData): void {
    if (this.closed) return;
    this.events.push(data);
    while (this.events.length > this.options.maxQueuedEvents) {
      this.events.shift();
      this.dropped.event++;
    }
    this.flush();
  }

  /** Hands waiting messages to the socket while it has room. */
  flush(): void {
    if (this.closed) return;
    if (!this.sink.open) return;
    while (this.sink.bufferedAmount < this.options.maxBufferedBytes) {
      const next = this.takeNext();
      if (next === null) return;
      this.sent[next.kind]++;
      this.sink.send(next.data, this.onWritten);
    }
  }

  /** Waiting messages (not yet handed to the socket). */
  get pending(): number {
    return this.slots.size + this.events.length;
  }

  /** Bytes waiting here (not counting the socket's own buffer). */
  get pendingBytes(): number {
    let bytes = 0;
    for (const data of this.slots.values()) bytes += byteLength(data);
    for (const data of this.events) bytes += byteLength(data);
    return bytes;
  }

  stats(): OutboxStats {
    return { sent: { ...this.sent }, dropped: { ...this.dropped } };
  }

  /** Drops everything waiting; later offers are ignored. */
  close(): void {
    this.closed = true;
    this.slots.clear();
    this.events.length = 0;
  }

  private readonly onWritten = (): void => {
    // Flush on a later tick, once per burst of write callbacks.
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  };

  private takeNext(): { kind: SlotKind | 'event'; data: OutboundData } | null {
    const event = this.events.shift();
    if (event !== undefined) return { kind: 'event', data: event };
    for (const kind of SLOT_KINDS) {
      const data = this.slots.get(kind);
      if (data !== undefined) {
        this.slots.delete(kind);
        return { kind, data };
      }
    }
    return null;
  }
}

function byteLength(data: OutboundData): number {
  return typeof data === 'string' ? data.length * 2 : data.byteLength;
}
