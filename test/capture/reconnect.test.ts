import { describe, expect, it } from 'vitest';
import { type Observable, map } from 'rxjs';
import { CaptureError } from '../../src/capture/errors.js';
import { fpsHealth } from '../../src/capture/fps-health.js';
import type { CaptureEvent } from '../../src/capture/health.js';
import { withReconnect } from '../../src/capture/reconnect.js';
import { stallWatchdog } from '../../src/capture/stall-watchdog.js';
import type { Frame } from '../../src/core/frame.js';
import { testScheduler, tinyFrame } from '../pipeline/helpers.js';
import type { RunHelpers } from 'rxjs/testing';

/**
 * Runs marble inputs on a TestScheduler and returns what came out as "time:label"
 * strings (clearer than output marbles when several events share a frame).
 */
function timeline(build: (h: RunHelpers) => Observable<string>, unsubscribeAt?: number): string[] {
  const log: string[] = [];
  const ts = testScheduler();
  ts.run((h) => {
    const sub = build(h).subscribe({
      next: (v) => log.push(`${ts.now()}:${v}`),
      error: (e: Error) => log.push(`${ts.now()}:error ${e.message}`),
      complete: () => log.push(`${ts.now()}:|`),
    });
    if (unsubscribeAt !== undefined) ts.schedule(() => sub.unsubscribe(), unsubscribeAt);
  });
  return log;
}


/** Compact rendering: f<seq> for frames, C<attempt>, S, R<attempt>@<delay>, F<fps>. */
function label(e: CaptureEvent): string {
  if (e.kind === 'frame') return `f${e.frame.seq}`;
  const h = e.health;
  switch (h.type) {
    case 'connected':
      return `C${h.attempt}`;
    case 'stalled':
      return 'S';
    case 'reconnecting':
      return `R${h.attempt}@${h.delayMs}`;
    case 'fps':
      return `F${h.fps}`;
  }
}

const frames = { a: tinyFrame(0), b: tinyFrame(1), c: tinyFrame(2), d: tinyFrame(3) };
const backoff = { initialMs: 2, factor: 2, maxMs: 8 };

describe('stallWatchdog', () => {
  it('STALLED SOURCE - errors with a StallError after timeoutMs of silence', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold('a-b------c').pipe(stallWatchdog({ timeoutMs: 3 }));
      expectObservable(out).toBe('a-b--#', undefined, expect.objectContaining({ name: 'StallError', silentMs: 3 }));
    });
  });

  it('lets a steady source through and unsubscribes it on teardown', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const src = cold('a-b-c-d-');
      expectObservable(src.pipe(stallWatchdog({ timeoutMs: 3 })), '^------!').toBe('a-b-c-d');
      expectSubscriptions(src.subscriptions).toBe('^------!');
    });
  });
});

describe('withReconnect', () => {
  const opts = { source: 'rtsp://x', live: true, stallTimeoutMs: 100, backoff, maxAttempts: Infinity };

  it('SOURCE DIES - a live source that fails reconnects with exponential backoff and resets after a frame', () => {
    const log = timeline(({ cold }) => {
      const attempts: Observable<Frame>[] = [
        cold('-a#', frames, new CaptureError('rtsp://x', 'connection reset')), // 1st: one frame then fails
        cold('#', undefined, new CaptureError('rtsp://x', 'connection refused')), // 2nd: fails at once
        cold('#', undefined, new CaptureError('rtsp://x', 'connection refused')), // 3rd: fails at once
        cold('-b-c', frames), // 4th: the source is back
        cold('#', undefined, new CaptureError('rtsp://x', 'connection refused')), // 5th: fails again
      ];
      let i = 0;
      return withReconnect(() => attempts[i++] ?? cold('-'), { ...opts, stallTimeoutMs: 5 }).pipe(map(label));
    }, 27);
    expect(log).toEqual([
      '1:C0', '1:f0', // connected, first frame
      '2:R1@2', // failed: retry in 2
      '4:R2@4', // failed again: 4
      '8:R3@8', // and again: 8
      '17:C3', '17:f1', '19:f2', // back after 3 failures
      '24:S', '24:R1@2', // stalls 5 ms later: the failure count was reset, so 2 ms again
      '26:R2@4', // 5th attempt fails at once
    ]);
  });

  it('STALLED SOURCE - emits stalled, then reconnecting, and goes on when frames return', () => {
    const log = timeline(({ cold }) => {
      let i = 0;
      return withReconnect(() => (i++ === 0 ? cold('a------', frames) : cold('b', frames)), { ...opts, stallTimeoutMs: 3 }).pipe(map(label));
    }, 7);
    expect(log).toEqual(['0:C0', '0:f0', '3:S', '3:R1@2', '5:C1', '5:f1']);
  });

  it('SOURCE ENDS - a live source that ends is restarted with reason "stream ended"', () => {
    const log = timeline(({ cold }) => {
      let i = 0;
      return withReconnect(() => (i++ === 0 ? cold('a|', frames) : cold('b', frames)), opts).pipe(
        map((e) => (e.kind === 'health' && e.health.type === 'reconnecting' ? e.health.reason : label(e))),
      );
    }, 10);
    expect(log).toEqual(['0:C0', '0:f0', '1:stream ended', '3:C1', '3:f1']);
  });

  it('a file source completes at its end', () => {
    const log = timeline(({ cold }) => withReconnect(() => cold('ab|', frames), { ...opts, source: 'a.mp4', live: false }).pipe(map(label)));
    expect(log).toEqual(['0:C0', '0:f0', '1:f1', '2:|']);
  });

  it('NOT A VIDEO - a file error is passed on without retrying', () => {
    const log = timeline(({ cold }) =>
      withReconnect(() => cold('#', undefined, new CaptureError('a.mp4', 'not a video ffmpeg can decode (invalid data)', [], true)), {
        ...opts,
        source: 'a.mp4',
        live: false,
      }).pipe(map(label)),
    );
    expect(log).toEqual(['0:error a.mp4: not a video ffmpeg can decode (invalid data)']);
  });

  it('UNREACHABLE HOST - gives up after maxAttempts consecutive failures with the last error', () => {
    const log = timeline(({ cold }) =>
      withReconnect(() => cold('#', undefined, new CaptureError('rtsp://x', 'connection timed out')), { ...opts, maxAttempts: 2 }).pipe(map(label)),
    );
    expect(log).toEqual(['0:R1@2', '2:R2@4', '6:error rtsp://x: connection timed out']);
  });

  it('unsubscribing ends the current attempt and cancels a pending retry', () => {
    const subs: Record<string, unknown> = {};
    const log = timeline(({ cold }) => {
      const first = cold('a-#', frames, new Error('boom'));
      const second = cold('b', frames);
      subs.first = first.subscriptions;
      subs.second = second.subscriptions;
      let i = 0;
      return withReconnect(() => (i++ === 0 ? first : second), { ...opts, backoff: { initialMs: 10, factor: 2, maxMs: 10 } }).pipe(map(label));
    }, 5);
    expect(log).toEqual(['0:C0', '0:f0', '2:R1@10']); // the retry due at 12 never happens
    expect(subs.first).toEqual([expect.objectContaining({ subscribedFrame: 0, unsubscribedFrame: 2 })]);
    expect(subs.second).toEqual([]);
  });
});

describe('fpsHealth', () => {
  it('adds an fps event every interval counting frames only, and stops its timer on unsubscribe', () => {
    const ev = (f: Frame): CaptureEvent => ({ kind: 'frame', frame: f });
    let subs: unknown;
    const log = timeline(({ hot }) => {
      const source = hot<CaptureEvent>('-a-b-c---d-', { a: ev(frames.a), b: ev(frames.b), c: ev(frames.c), d: ev(frames.d) });
      subs = source.subscriptions;
      return source.pipe(fpsHealth({ source: 's', intervalMs: 4 }), map(label));
    }, 10);
    // window [0,4): a, b -> 2 frames in 4 ms = 500 fps; [4,8): c -> 250 fps; unsubscribed at 10 (no F at 12).
    expect(log).toEqual(['1:f0', '3:f1', '4:F500', '5:f2', '8:F250', '9:f3']);
    expect(subs).toEqual([expect.objectContaining({ subscribedFrame: 0, unsubscribedFrame: 10 })]);
  });
});

describe('stallWatchdog first frame', () => {
  it('SLOW CONNECT - allows a longer wait for the first value, then the normal stall timeout', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const out = cold('-----a-b----c').pipe(stallWatchdog({ timeoutMs: 3, firstTimeoutMs: 8 }));
      expectObservable(out).toBe('-----a-b--#', undefined, expect.objectContaining({ name: 'StallError', silentMs: 3 }));
    });
  });

  it('SLOW CONNECT - reports the first-frame timeout when nothing ever comes', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-').pipe(stallWatchdog({ timeoutMs: 3, firstTimeoutMs: 8 }))).toBe('--------#', undefined, expect.objectContaining({ silentMs: 8 }));
    });
  });
});
