/**
 * The live dashboard server: node:http for the UI, ws at /ws for viewers.
 *
 * It subscribes once to an injected ScanSession and fans what it produces out
 * to every viewer through a bounded, latest-wins ViewerOutbox, so a slow or
 * stalled viewer never slows the session or grows memory. Viewer messages are
 * validated (protocol.ts) and authorised (auth.ts) at the edge.
 *
 * Ownership: the server owns its HTTP server, WebSocket server, timers and
 * viewers; `close()` ends them all. It does NOT own the session.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay, type IntervalHistogram } from 'node:perf_hooks';
import { asyncScheduler, catchError, defer, EMPTY, filter, Subject, type Subscription, throttleTime } from 'rxjs';
import { WebSocketServer, WebSocket, type RawData } from 'ws';
import type { Frame } from '../core/frame.js';
import { LEUKOCYTE_TYPES } from '../core/classes.js';
import type { Auth } from './auth.js';
import { type StreamConfig, resolveStreamConfig } from './config.js';
import { encodeCellCrop, encodeFrameJpeg, type EncodedFrame } from './jpeg.js';
import { exhaustMapLatest } from './operators/exhaust-map-latest.js';
import {
  CLOSE_CODES,
  type ClientMessage,
  type CountedCell,
  type ErrorCode,
  PROTOCOL_VERSION,
  type Role,
  type ServerMessage,
  encodeFrameMessage,
  parseClientMessage,
  roleAllows,
} from './protocol.js';
import type { ScanSession, SessionCountedCell, SessionEvent } from './session.js';
import { buildUiAssets, type UiAssets } from './ui-assets.js';
import { ViewerOutbox, type SlotKind } from './viewer-outbox.js';

export interface StreamServerOptions {
  session: ScanSession;
  auth: Auth;
  config?: Partial<StreamConfig>;
  /** Prebuilt dashboard files; built from ui/ when left out. */
  ui?: UiAssets;
  /** Where operational lines go (connections, rejections). Defaults to nowhere. */
  log?: (line: string) => void;
}

export interface ViewerStats {
  readonly id: number;
  readonly role: Role;
  readonly pending: number;
  readonly bufferedAmount: number;
  readonly sent: Readonly<Record<string, number>>;
  readonly dropped: Readonly<Record<string, number>>;
}

export interface ServerStats {
  readonly viewers: number;
  readonly connectionsTotal: number;
  readonly rejectedUpgrades: number;
  readonly terminatedDead: number;
  readonly closedForBadMessages: number;
  readonly framesIn: number;
  readonly framesEncoded: number;
  /** Frames not encoded because an encode was running (latest wins). */
  readonly framesSkipped: number;
  readonly encodeErrors: number;
  /** Drops summed over connected viewers, per kind. */
  readonly dropped: Readonly<Record<string, number>>;
  readonly perViewer: readonly ViewerStats[];
}

interface Viewer {
  readonly id: number;
  readonly ws: WebSocket;
  readonly role: Role;
  readonly address: string;
  readonly outbox: ViewerOutbox;
  alive: boolean;
  badMessages: number;
  framesSentAtLastMetrics: number;
}


function json(message: ServerMessage): string {
  return JSON.stringify(message);
}

export class StreamServer {
  private readonly config: StreamConfig;
  private readonly log: (line: string) => void;
  private readonly viewers = new Map<WebSocket, Viewer>();
  private readonly wss: WebSocketServer;
  private readonly subscriptions: Subscription[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly loopDelay: IntervalHistogram;
  private nextViewerId = 1;
  private closing: Promise<void> | null = null;

  // Last value of each state-like message, sent to a viewer when it connects.
  private lastStatus: string | null = null;
  private lastDifferential: string | null = null;
  private lastHealth: string | null = null;
  private lastOverlay: string | null = null;
  private lastFrame: Uint8Array | null = null;
  private readonly gallery: CountedCell[] = [];
  private readonly recentFrames: Frame[] = [];
  private readonly frameInput = new Subject<Frame>();
  /** Bumped at each reset, so a crop still encoding for the old scan is not added to the new gallery. */
  private generation = 0;

  private counters = {
    connectionsTotal: 0,
    rejectedUpgrades: 0,
    terminatedDead: 0,
    closedForBadMessages: 0,
    framesIn: 0,
    framesEncoded: 0,
    framesSkipped: 0,
    encodeErrors: 0,
  };

  static async create(options: StreamServerOptions): Promise<StreamServer> {
    const ui = options.ui ?? (await buildUiAssets());
    const server = new StreamServer(options, ui);
    await server.listen();
    return server;
  }

  private readonly http: Server;

  private constructor(
    private readonly options: StreamServerOptions,
    private readonly ui: UiAssets,
  ) {
    this.config = resolveStreamConfig(options.config);
    this.log = options.log ?? (() => {});
    this.http = createServer((req, res) => this.onRequest(req, res));
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
    this.wss = new WebSocketServer({
      noServer: true,
      maxPayload: this.config.maxPayloadBytes,
      perMessageDeflate: false,
      clientTracking: false,
    });
    this.loopDelay = monitorEventLoopDelay({ resolution: 10 });
    this.loopDelay.enable();
    this.subscribeSession();
    this.timers.push(setInterval(() => this.heartbeat(), this.config.heartbeatIntervalMs));
    this.timers.push(setInterval(() => this.pushMetrics(), this.config.metricsIntervalMs));
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        this.http.off('listening', onListening);
        void this.close();
        reject(new Error(`dashboard could not listen on ${this.config.host}:${this.config.port}: ${err.message}`));
      };
      const onListening = () => {
        this.http.off('error', onError);
        resolve();
      };
      this.http.once('error', onError);
      this.http.once('listening', onListening);
      this.http.listen(this.config.port, this.config.host);
    });
  }

  /** Bound address (the port is the real one when 0 was asked for). */
  get address(): { host: string; port: number } {
    const address = this.http.address() as AddressInfo | null;
    if (address === null) throw new Error('dashboard server is not listening');
    return { host: address.address, port: address.port };
  }

  /** The dashboard URL for a token (what the CLI prints). */
  url(token: string, host?: string): string {
    const { port } = this.address;
    const shown = host ?? (this.config.host === '0.0.0.0' || this.config.host === '::' ? 'localhost' : this.config.host);
    const hostPart = shown.includes(':') ? `[${shown}]` : shown;
    return `http://${hostPart}:${port}/?token=${encodeURIComponent(token)}`;
  }

  stats(): ServerStats {
    const dropped: Record<string, number> = {};
    const perViewer: ViewerStats[] = [];
    for (const viewer of this.viewers.values()) {
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
    return { viewers: this.viewers.size, ...this.counters, dropped, perViewer };
  }

  // -------------------------------------------------------------------------
  // Session → viewers
  // -------------------------------------------------------------------------

  private subscribeSession(): void {
    const minFrameIntervalMs = this.config.maxStreamFps > 0 ? 1000 / this.config.maxStreamFps : 0;
    const frames$ = this.frameInput.pipe(
      // No viewer: nothing to encode.
      filter(() => this.viewers.size > 0),
      throttleTime(minFrameIntervalMs, asyncScheduler, { leading: true, trailing: true }),
      exhaustMapLatest(
        (frame: Frame) =>
          defer(() => encodeFrameJpeg(frame, { maxWidth: this.config.frameMaxWidth, quality: this.config.jpegQuality })).pipe(
            catchError((err: unknown) => {
              this.counters.encodeErrors++;
              this.log(`frame ${frame.seq}: JPEG encode failed: ${(err as Error).message}`);
              return EMPTY;
            }),
          ),
        () => this.counters.framesSkipped++,
      ),
    );
    this.subscriptions.push(frames$.subscribe((encoded) => this.onEncodedFrame(encoded)));
    // One subscription to the session; frames go on through frameInput.
    this.subscriptions.push(
      this.options.session.events$.subscribe({
        next: (e) => this.onSessionEvent(e),
        error: (err: unknown) => this.onSessionError(err),
      }),
    );
  }

  private onSessionError(err: unknown): void {
    this.log(`scan session failed: ${(err as Error).message ?? String(err)}`);
    const message = json({ v: PROTOCOL_VERSION, type: 'error', code: 'failed', message: `scan session failed: ${(err as Error).message}` });
    for (const viewer of this.viewers.values()) viewer.outbox.enqueue(message);
  }

  private onSessionEvent(event: SessionEvent): void {
    switch (event.kind) {
      case 'frame':
        this.counters.framesIn++;
        this.recentFrames.push(event.frame);
        if (this.recentFrames.length > this.config.cropFrameCache) this.recentFrames.shift();
        this.frameInput.next(event.frame);
        return;
      case 'overlay': {
        const o = event.overlay;
        this.lastOverlay = json({
          v: PROTOCOL_VERSION,
          type: 'overlay',
          seq: o.seq,
          sourceWidth: o.sourceWidth,
          sourceHeight: o.sourceHeight,
          cells: [...o.cells],
        });
        this.broadcastLatest('overlay', this.lastOverlay);
        return;
      }
      case 'differential': {
        const d = event.differential;
        this.lastDifferential = json({
          v: PROTOCOL_VERSION,
          type: 'differential',
          total: d.total,
          target: d.target,
          rows: [...d.rows],
          ciMethod: d.ciMethod,
        });
        this.broadcastLatest('differential', this.lastDifferential);
        return;
      }
      case 'status': {
        const s = event.status;
        this.lastStatus = json({ v: PROTOCOL_VERSION, type: 'status', ...s });
        this.broadcastLatest('status', this.lastStatus);
        return;
      }
      case 'health': {
        const h = event.health;
        this.lastHealth = json({ v: PROTOCOL_VERSION, type: 'health', source: { ...h.source }, pipeline: { ...h.pipeline } });
        this.broadcastLatest('health', this.lastHealth);
        return;
      }
      case 'counted':
        void this.onCounted(event.cell);
        return;
      case 'cell-updated': {
        const cell = this.gallery.find((c) => c.cellId === event.cellId);
        if (cell !== undefined) {
          const index = this.gallery.indexOf(cell);
          this.gallery[index] = { ...cell, type: event.cellType, review: event.review };
        }
        this.broadcastEvent(
          json({ v: PROTOCOL_VERSION, type: 'cellUpdated', cellId: event.cellId, cellType: event.cellType, review: event.review }),
        );
        return;
      }
      case 'reset':
        this.generation++;
        this.gallery.length = 0;
        this.lastOverlay = null;
        this.broadcastEvent(json({ v: PROTOCOL_VERSION, type: 'gallery', cells: [] }));
        return;
    }
  }

  private async onCounted(input: SessionCountedCell): Promise<void> {
    const generation = this.generation;
    let crop = input.cropJpeg;
    if (crop === null) {
      const frame = this.recentFrames.find((f) => f.seq === input.seq);
      if (frame !== undefined) {
        crop = await encodeCellCrop(frame, input.box, {
          size: this.config.cropSize,
          marginFraction: this.config.cropMarginFraction,
          quality: this.config.jpegQuality,
        }).catch(() => null);
      }
    }
    if (generation !== this.generation) return;
    const { cropJpeg: _dropped, ...rest } = input;
    const cell: CountedCell = { ...rest, box: [...input.box], cropJpegBase64: crop === null ? null : Buffer.from(crop).toString('base64') };
    this.gallery.push(cell);
    if (this.gallery.length > this.config.galleryLimit) this.gallery.shift();
    this.broadcastEvent(json({ v: PROTOCOL_VERSION, type: 'counted', cell }));
  }

  private onEncodedFrame(encoded: EncodedFrame): void {
    this.counters.framesEncoded++;
    // One buffer for every viewer: ws frames it per socket without copying the payload here.
    const message = encodeFrameMessage(encoded.header, encoded.jpeg);
    this.lastFrame = message;
    this.broadcastLatest('frame', message);
  }

  private broadcastLatest(kind: SlotKind, data: string | Uint8Array): void {
    for (const viewer of this.viewers.values()) viewer.outbox.offer(kind, data);
  }

  private broadcastEvent(data: string): void {
    for (const viewer of this.viewers.values()) viewer.outbox.enqueue(data);
  }

  // -------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers: Record<string, string> = {
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      // The token travels in the page URL: never send it on as a referrer.
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
    };
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { ...headers, Allow: 'GET, HEAD', 'Content-Type': 'text/plain' }).end('method not allowed\n');
      return;
    }
    const send = (type: string, body: Buffer | string, extra: Record<string, string> = {}) => {
      res.writeHead(200, { ...headers, ...extra, 'Content-Type': type, 'Content-Length': String(Buffer.byteLength(body)) });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    switch (url.pathname) {
      case '/':
      case '/index.html':
        send('text/html; charset=utf-8', this.ui.html, {
          'Content-Security-Policy':
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob: data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
        });
        return;
      case '/app.js':
        send('text/javascript; charset=utf-8', this.ui.js);
        return;
      case '/app.css':
        send('text/css; charset=utf-8', this.ui.css);
        return;
      case '/healthz':
        // No secrets and no scan data: only whether the server is up.
        send('application/json', JSON.stringify({ ok: true, protocol: PROTOCOL_VERSION }));
        return;
      default:
        res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' }).end('not found\n');
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const url = new URL(req.url ?? '/', 'http://localhost');
    const reject = (status: number, reason: string) => {
      this.counters.rejectedUpgrades++;
      this.log(`refused a viewer from ${req.socket.remoteAddress}: ${status} ${reason}`);
      socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${reason.length + 1}\r\n\r\n${reason}\n`);
    };
    if (this.closing !== null) return reject(503, 'Server shutting down');
    if (url.pathname !== '/ws') return reject(404, 'Not Found');
    const role = this.options.auth.roleFor(url.searchParams.get('token'));
    if (role === null) return reject(401, 'Unauthorized');
    if (this.viewers.size >= this.config.maxViewers) return reject(503, 'Too many viewers');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.onConnection(ws, role, req));
  }

  // -------------------------------------------------------------------------
  // Viewers
  // -------------------------------------------------------------------------

  private onConnection(ws: WebSocket, role: Role, req: IncomingMessage): void {
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
      { maxBufferedBytes: this.config.maxBufferedBytes, maxQueuedEvents: this.config.maxQueuedEvents },
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
    this.log(`viewer ${viewer.id} (${role}) connected from ${req.socket.remoteAddress}`);

    ws.on('pong', () => {
      viewer.alive = true;
    });
    ws.on('message', (data, isBinary) => this.onViewerMessage(viewer, data, isBinary));
    ws.on('error', (err) => this.log(`viewer ${viewer.id}: ${err.message}`));
    ws.on('close', (code) => {
      outbox.close();
      this.viewers.delete(ws);
      this.log(`viewer ${viewer.id} left (${code})`);
    });

    outbox.enqueue(
      json({
        v: PROTOCOL_VERSION,
        type: 'hello',
        role,
        protocol: PROTOCOL_VERSION,
        classes: [...LEUKOCYTE_TYPES],
        maxClientMessageBytes: this.config.maxPayloadBytes,
        features: { review: this.options.session.history !== null, history: this.options.session.history !== null },
      }),
    );
    outbox.enqueue(json({ v: PROTOCOL_VERSION, type: 'gallery', cells: [...this.gallery] }));
    if (this.lastStatus !== null) outbox.offer('status', this.lastStatus);
    if (this.lastDifferential !== null) outbox.offer('differential', this.lastDifferential);
    if (this.lastHealth !== null) outbox.offer('health', this.lastHealth);
    if (this.lastOverlay !== null) outbox.offer('overlay', this.lastOverlay);
    if (this.lastFrame !== null) outbox.offer('frame', this.lastFrame);
  }

  private reply(viewer: Viewer, message: ServerMessage): void {
    viewer.outbox.enqueue(json(message));
  }

  private replyError(viewer: Viewer, code: ErrorCode, message: string, id?: string): void {
    this.reply(viewer, { v: PROTOCOL_VERSION, type: 'error', code, message, ...(id !== undefined ? { id } : {}) });
  }

  /** Counts a bad message; past the limit the viewer is disconnected. */
  private strike(viewer: Viewer): void {
    viewer.badMessages++;
    if (viewer.badMessages > this.config.maxBadMessages) {
      this.counters.closedForBadMessages++;
      viewer.ws.close(CLOSE_CODES.POLICY_VIOLATION, 'too many invalid messages');
    }
  }

  private onViewerMessage(viewer: Viewer, data: RawData, isBinary: boolean): void {
    viewer.alive = true;
    if (isBinary) {
      this.counters.closedForBadMessages++;
      viewer.ws.close(CLOSE_CODES.UNSUPPORTED_DATA, 'binary messages are not accepted');
      return;
    }
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data as ArrayBuffer).toString('utf8');
    const parsed = parseClientMessage(text);
    if (!parsed.ok) {
      this.replyError(viewer, parsed.code, parsed.error, parsed.id);
      this.strike(viewer);
      return;
    }
    const message = parsed.message;
    if (!roleAllows(viewer.role, message.type)) {
      this.replyError(viewer, 'unauthorised', `${message.type} needs the operator token; this connection is read-only`, message.id);
      this.strike(viewer);
      return;
    }
    void this.handle(viewer, message);
  }

  private async handle(viewer: Viewer, message: ClientMessage): Promise<void> {
    const { session } = this.options;
    const id = message.id;
    const withId = id !== undefined ? { id } : {};
    try {
      switch (message.type) {
        case 'start':
        case 'pause':
        case 'stop':
        case 'reset':
        case 'recalibrate':
          await session.execute({ type: message.type });
          break;
        case 'setTarget':
          await session.execute({ type: 'setTarget', target: message.target });
          break;
        case 'setSource':
          await session.execute({ type: 'setSource', source: message.source });
          break;
        case 'review': {
          if (session.history === null) return this.notAvailable(viewer, 'review', id);
          await session.history.review({
            cellId: message.cellId,
            action: message.action,
            ...(message.newType !== undefined ? { newType: message.newType } : {}),
            // For the audit trail: which dashboard connection made the change.
            operator: `dashboard viewer ${viewer.id} (${viewer.address})`,
          });
          break;
        }
        case 'listScans': {
          if (session.history === null) return this.notAvailable(viewer, 'scan history', id);
          const scans = await session.history.listScans(message.limit ?? 50);
          this.reply(viewer, { v: PROTOCOL_VERSION, type: 'scans', ...withId, scans });
          return;
        }
        case 'openScan': {
          if (session.history === null) return this.notAvailable(viewer, 'scan history', id);
          const scan = await session.history.openScan(message.scanId);
          this.reply(viewer, { v: PROTOCOL_VERSION, type: 'scan', ...withId, scan });
          return;
        }
      }
      this.reply(viewer, { v: PROTOCOL_VERSION, type: 'ack', ...withId, command: message.type });
    } catch (err) {
      this.replyError(viewer, 'failed', `${message.type} failed: ${(err as Error).message}`, id);
    }
  }

  private notAvailable(viewer: Viewer, what: string, id: string | undefined): void {
    this.replyError(viewer, 'not_available', `${what} is not available: this server has no scan store`, id);
  }

  private heartbeat(): void {
    for (const viewer of this.viewers.values()) {
      if (!viewer.alive) {
        this.counters.terminatedDead++;
        this.log(`viewer ${viewer.id} did not answer the heartbeat: terminated`);
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

  private pushMetrics(): void {
    const intervalS = this.config.metricsIntervalMs / 1000;
    const rssBytes = process.memoryUsage.rss();
    const eventLoopDelayMs = this.loopDelay.max / 1e6;
    this.loopDelay.reset();
    for (const viewer of this.viewers.values()) {
      const stats = viewer.outbox.stats();
      const sentFps = (stats.sent.frame - viewer.framesSentAtLastMetrics) / intervalS;
      viewer.framesSentAtLastMetrics = stats.sent.frame;
      viewer.outbox.offer(
        'metrics',
        json({
          v: PROTOCOL_VERSION,
          type: 'metrics',
          viewers: this.viewers.size,
          sentFps,
          dropped: { ...stats.dropped },
          framesEncoded: this.counters.framesEncoded,
          framesSkipped: this.counters.framesSkipped,
          rssBytes,
          eventLoopDelayMs: Number.isFinite(eventLoopDelayMs) ? eventLoopDelayMs : 0,
        }),
      );
    }
  }

  /** Closes every viewer (1001), stops the timers and the HTTP server. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      for (const t of this.timers) clearInterval(t);
      for (const s of this.subscriptions) s.unsubscribe();
      this.frameInput.complete();
      this.loopDelay.disable();
      for (const viewer of this.viewers.values()) {
        viewer.outbox.close();
        viewer.ws.close(CLOSE_CODES.GOING_AWAY, 'server shutting down');
      }
      // Give viewers a moment for the closing handshake, then cut whatever is left.
      await new Promise((resolve) => setTimeout(resolve, 200));
      for (const viewer of this.viewers.values()) viewer.ws.terminate();
      this.viewers.clear();
      await new Promise<void>((resolve) => this.wss.close(() => resolve()));
      await new Promise<void>((resolve) => {
        if (!this.http.listening) return resolve();
        this.http.close(() => resolve());
        this.http.closeAllConnections();
      });
    })();
    return this.closing;
  }
}
