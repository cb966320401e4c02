import { describe, expect, it } from 'vitest';
import { ViewerOutbox, type OutboundData, type OutboxSink } from '../../src/stream/viewer-outbox.js';

/** A fake socket: `buffered` grows with each send until `drain()` writes it out. */
class FakeSink implements OutboxSink {
  bufferedAmount = 0;
  open = true;
  readonly sent: OutboundData[] = [];
  private readonly callbacks: (() => void)[] = [];
  send(data: OutboundData, written: () => void): void {
    this.sent.push(data);
    this.bufferedAmount += typeof data === 'string' ? data.length : data.byteLength;
    this.callbacks.push(written);
  }
  drain(): void {
    this.bufferedAmount = 0;
    for (const cb of this.callbacks.splice(0)) cb();
  }
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('ViewerOutbox', () => {
  it('sends at once while the socket has room, events first then slots in priority order', () => {
    const sink = new FakeSink();
    const outbox = new ViewerOutbox(sink, { maxBufferedBytes: 1000, maxQueuedEvents: 4 });
    sink.open = false; // hold everything, then open and flush
    outbox.offer('frame', 'F1');
    outbox.offer('overlay', 'O1');
    outbox.enqueue('E1');
    outbox.offer('status', 'S1');
    sink.open = true;
    outbox.flush();
    expect(sink.sent).toEqual(['E1', 'S1', 'O1', 'F1']);
    expect(outbox.pending).toBe(0);
  });

  it('a stalled viewer keeps only the latest frame and counts the ones it missed', async () => {
    const sink = new FakeSink();
    const outbox = new ViewerOutbox(sink, { maxBufferedBytes: 10, maxQueuedEvents: 4 });
    outbox.offer('frame', new Uint8Array(10)); // fills the socket buffer
    for (let i = 0; i < 100; i++) outbox.offer('frame', new Uint8Array([i]));
    expect(sink.sent).toHaveLength(1);
    expect(outbox.pending).toBe(1);
    expect(outbox.stats().dropped.frame).toBe(99);
    sink.drain();
    await tick();
    expect(sink.sent).toHaveLength(2);
    expect(sink.sent[1]).toEqual(new Uint8Array([99]));
  });

  it('a stalled viewer drops the oldest events past the queue limit', () => {
    const sink = new FakeSink();
    const outbox = new ViewerOutbox(sink, { maxBufferedBytes: 1, maxQueuedEvents: 3 });
    outbox.enqueue('first'); // sent, socket now full
    for (let i = 0; i < 10; i++) outbox.enqueue(`e${i}`);
    expect(outbox.pending).toBe(3);
    expect(outbox.stats().dropped.event).toBe(7);
    sink.drain();
  });

  it('memory stays bounded however many messages a stalled viewer is offered', () => {
    const sink = new FakeSink();
    const outbox = new ViewerOutbox(sink, { maxBufferedBytes: 1024, maxQueuedEvents: 8 });
    const frame = new Uint8Array(50_000);
    for (let i = 0; i < 10_000; i++) {
      outbox.offer('frame', frame);
      outbox.offer('overlay', `overlay ${i}`);
      if (i % 10 === 0) outbox.enqueue(`counted ${i}`);
    }
    // One message made it to the socket; at most one per slot + the event queue are held.
    expect(sink.sent).toHaveLength(1);
    expect(outbox.pending).toBeLessThanOrEqual(2 + 8);
    expect(outbox.pendingBytes).toBeLessThan(frame.byteLength + 2 * 1024);
  });

  it('holds nothing after close and ignores later offers', () => {
    const sink = new FakeSink();
    sink.open = false;
    const outbox = new ViewerOutbox(sink, { maxBufferedBytes: 10, maxQueuedEvents: 3 });
    outbox.offer('frame', 'x');
    outbox.close();
    outbox.offer('frame', 'y');
    outbox.enqueue('z');
    expect(outbox.pending).toBe(0);
  });
});
