/** The server's counters over its viewers: stats() for tests and benches, and each viewer's metrics message. */
import type { LoopDelayMonitor } from './loop-delay.js';
import { PROTOCOL_VERSION, type ServerMessage } from './protocol.js';
import type { ServerStats, ViewerStats } from './server-types.js';
import type { ViewerHub } from './viewer-hub.js';

/** What the server counts itself (the hub counts connections). */
export interface ServerCounters {
  closedForBadMessages: number;
  framesIn: number;
  framesEncoded: number;
  framesSkipped: number;
  encodeErrors: number;
}

export function serverStats(hub: ViewerHub, counters: ServerCounters): ServerStats {
  const dropped: Record<string, number> = {};
  const perViewer: ViewerStats[] = [];
  for (const viewer of hub.all()) {
    const s = viewer.outbox.stats();
    for (const [kind, n] of Object.entries(s.dropped)) dropped[kind] = (dropped[kind] ?? 0) + n;
    perViewer.push({
      id: viewer.id,
      role: viewer.role,
      pending: viewer.outbox.pending,
      bufferedAmount: viewer.ws.bufferedAmount,
      sent: s.sent,
      dropped: s.dropped,
    });
  }
  return { viewers: hub.size, ...hub.counters, ...counters, dropped, perViewer };
}

/** Offers each viewer its metrics (frames it was sent per second over the last `intervalS`, drops, server load). */
export function pushMetrics(hub: ViewerHub, counters: ServerCounters, intervalS: number, delay: LoopDelayMonitor['last']): void {
  const rssBytes = process.memoryUsage.rss();
  for (const viewer of hub.all()) {
    const stats = viewer.outbox.stats();
    const sentFps = (stats.sent.frame - viewer.framesSentAtLastMetrics) / intervalS;
    viewer.framesSentAtLastMetrics = stats.sent.frame;
    const message: ServerMessage = {
      v: PROTOCOL_VERSION,
      type: 'metrics',
      viewers: hub.size,
      sentFps,
      dropped: { ...stats.dropped },
      framesEncoded: counters.framesEncoded,
      framesSkipped: counters.framesSkipped,
      rssBytes,
      eventLoopDelayMs: delay.maxMs,
      eventLoopDelay: { p50Ms: delay.p50Ms, p99Ms: delay.p99Ms, maxMs: delay.maxMs },
    };
    viewer.outbox.offer('metrics', JSON.stringify(message));
  }
}
