/**
 * The dashboard's viewers: the WebSocket upgrade (path, origin, token, viewer
 * limit), one bounded latest-wins ViewerOutbox per viewer, the heartbeat that
 * terminates dead peers, broadcasting, and close(). What a viewer says is
 * handed to `onMessage` (the server's command dispatch); what a new viewer is
 * sent first comes from `greet`.
 *
 * Ownership: the hub owns its WebSocketServer, its heartbeat timer and every
 * viewer socket; `close()` ends them all. It does not own the HTTP server.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Auth } from './auth.js';
import type { StreamConfig } from './config.js';
import { LogLimiter } from './log-limiter.js';
import { originAllowed } from './origin.js';
import { CLOSE_CODES, type Role } from './protocol.js';
import { ViewerOutbox, type SlotKind } from './viewer-outbox.js';

export interface Viewer {
  readonly id: number;
  readonly ws: WebSocket;
  readonly role: Role;
  readonly address: string;
  readonly outbox: ViewerOutbox;
  alive: boolean;
  badMessages: number;
  framesSentAtLastMetrics: number;
}

export interface ViewerHubOptions {
  readonly auth: Auth;
  readonly config: StreamConfig;
  readonly log: (line: string) => void;
  /** Queues what a viewer gets on connect (hello, gallery, the last state). */
  readonly greet: (viewer: Viewer) => void;
  readonly onMessage: (viewer: Viewer, data: RawData, isBinary: boolean) => void;
}

export interface HubCounters {
  connectionsTotal: number;
  rejectedUpgrades: number;
  terminatedDead: number;
}

export class ViewerHub {
  readonly counters: HubCounters = { connectionsTotal: 0, rejectedUpgrades: 0, terminatedDead: 0 };
  private readonly viewers = new Map<WebSocket, Viewer>();
  private readonly wss: WebSocketServer;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private nextViewerId = 1;
  private refusals: LogLimiter | null = null;
  private closing: Promise<void> | null = null;

  constructor(private readonly options: ViewerHubOptions) {
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: options.config.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.heartbeatTimer = setInterval(() => this.heartbeat(), options.config.heartbeatIntervalMs);
  }

  get size(): number {
    return this.viewers.size;
  }

  /** The connected viewers (a snapshot: safe to close viewers while iterating). */
  all(): Viewer[] {
    return [...this.viewers.values()];
  }

  broadcastLatest(kind: SlotKind, data: string | Uint8Array): void {
    for (const viewer of this.viewers.values()) viewer.outbox.offer(kind, data);
  }

  broadcastEvent(data: string): void {
    for (const viewer of this.viewers.values()) viewer.outbox.enqueue(data);
  }

  /** The HTTP server's 'upgrade': refuses (404/403/401/503) or connects a viewer. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, reason: string) => {
      this.counters.rejectedUpgrades++;
      // Rate-limited: anyone can provoke these lines (a token-guessing loop would flood the log).
      (this.refusals ??= new LogLimiter(this.options.log)).write(`refused a viewer from ${req.socket.remoteAddress}: ${status} ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length + 1}\r\n\r\n${reason}\n`);
    };
    if (this.closing !== null) return reject(503, 'Server shutting down');
    if (url.pathname !== '/ws') return reject(404, 'Not Found');
    // A browser page from another site must not use a token it got hold of (CSWSH); clients without Origin still need the token.
    if (!originAllowed(req.headers.origin, req.headers.host, this.options.config.allowedOrigins)) return reject(403, 'Origin not allowed');
    const role = this.options.auth.roleFor(url.searchParams.get('token'));
    if (role === null) return reject(401, 'Unauthorized');
    if (this.viewers.size >= this.options.config.maxViewers) return reject(503, 'Too many viewers');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, role, req));
  }

  private onConnection(ws: WebSocket, role: Role, req: IncomingMessage): void {
    const { config, log } = this.options;
    const outbox = new ViewerOutbox(
      {
        get bufferedAmount() {
          return ws.bufferedAmount;
        },
        get open() {
          return ws.readyState === WebSocket.OPEN;
        },
        send: (data, written) => ws.send(data, { binary: typeof data !== 'string' }, written),
      },
      { maxBufferedBytes: config.maxBufferedBytes, maxQueuedEvents: config.maxQueuedEvents },
    );
    const viewer: Viewer = {
      id: this.nextViewerId++,
      ws,
      role,
      address: req.socket.remoteAddress ?? 'unknown',
      outbox,
      alive: true,
      badMessages: 0,
      framesSentAtLastMetrics: 0,
    };
    this.viewers.set(ws, viewer);
    this.counters.connectionsTotal++;
    log(`viewer ${viewer.id} (${role}) connected from ${req.socket.remoteAddress}`);

    ws.on('pong', () => {
      viewer.alive = true;
    });
    ws.on('message', (data, isBinary) => {
      viewer.alive = true;
      this.options.onMessage(viewer, data, isBinary);
    });
    ws.on('error', (err) => log(`viewer ${viewer.id}: ${err.message}`));
    ws.on('close', (code) => {
      outbox.close();
      this.viewers.delete(ws);
      log(`viewer ${viewer.id} left (${code})`);
    });
    this.options.greet(viewer);
  }

  private heartbeat(): void {
    for (const viewer of this.viewers.values()) {
      if (!viewer.alive) {
        this.counters.terminatedDead++;
        this.options.log(`viewer ${viewer.id} did not answer the heartbeat: terminated`);
        viewer.ws.terminate();
        continue;
      }
      viewer.alive = false;
      try {
        viewer.ws.ping();
      } catch {
        viewer.ws.terminate();
      }
    }
  }

  /** Refuses new viewers, closes every viewer (1001), then cuts what is left after a moment. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      clearInterval(this.heartbeatTimer);
      for (const viewer of this.viewers.values()) {
        viewer.outbox.close();
        viewer.ws.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
      }
      // Give viewers a moment for the closing handshake, then cut whatever is left.
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const viewer of this.viewers.values()) viewer.ws.terminate();
      this.viewers.clear();
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    })();
    return this.closing;
  }
}
