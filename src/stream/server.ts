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
import type { AddressInfo } from 'node:net';
import { Subject, type Subscription } from 'rxjs';
import type { RawData } from 'ws';
import type { Frame } from '../core/frame.js';
import { LEUKOCYTE_TYPES } from '../core/classes.js';
import type { Auth } from './auth.js';
import { type StreamConfig, resolveStreamConfig } from './config.js';
import { encodeCellCrop, encodeFrameJpeg, type EncodedFrame } from './jpeg.js';
import { encodeFrames } from './operators/encode-frames.js';
import {
  CLOSE_CODES,
  type ClientMessage,
  type CountedCell,
  type ErrorCode,
  PROTOCOL_VERSION,
  type Role,
  type ScanState,
  type ServerMessage,
  encodeFrameMessage,
  parseClientMessage,
  roleAllows,
} from './protocol.js';
import type { ScanSession, SessionCountedCell, SessionEvent } from './session.js';
import { LoopDelayMonitor } from './loop-delay.js';
import { serveStatic } from './static-http.js';
import { toWire } from './to-wire.js';
import { buildUiAssets, type UiAssets } from './ui-assets.js';
import type { SlotKind } from './viewer-outbox.js';
import { ViewerHub, type Viewer } from './viewer-hub.js';

export interface StreamServerOptions {
  session: ScanSession;
  auth: Auth;
  config?: Partial<StreamConfig>;
  /** Prebuilt dashboard files; built from ui/ when left out. */
  ui?: UiAssets;
  /** Where operational lines go (connections, rejections). Defaults to nowhere. */
  log?: (line: string) => void;
  /** Which slide sim: sources scan (e.g. "demo slide: 20 BCCD fields, MIT"), shown with the status. */
  slide?: string;
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


function json(message: ServerMessage): string {
  return JSON.stringify(message);
}

export class StreamServer {
  private readonly config: StreamConfig;
  private readonly log: (line: string) => void;
  private readonly hub: ViewerHub;
  private readonly subscriptions: Subscription[] = [];
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly loopDelay: LoopDelayMonitor;
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
    this.hub = new ViewerHub({
      auth: options.auth,
      config: this.config,
      log: this.log,
      greet: (viewer) => this.greet(viewer),
      onMessage: (viewer, data, isBinary) => this.onViewerMessage(viewer, data, isBinary),
    });
    this.http.on('upgrade', (req, socket, head) => this.hub.handleUpgrade(req, socket, head));
    this.loopDelay = new LoopDelayMonitor({ intervalMs: this.config.metricsIntervalMs });
    this.subscribeSession();
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
    for (const viewer of this.hub.all()) {
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
    return { viewers: this.hub.size, ...this.hub.counters, ...this.counters, dropped, perViewer };
  }

  // -------------------------------------------------------------------------
  // Session → viewers
  // -------------------------------------------------------------------------

  private subscribeSession(): void {
    const frames$ = this.frameInput.pipe(
      encodeFrames({
        maxFps: this.config.maxStreamFps,
        encode: (frame) => encodeFrameJpeg(frame, { maxWidth: this.config.frameMaxWidth, quality: this.config.jpegQuality }),
        // No viewer: nothing to encode.
        wanted: () => this.hub.size > 0,
        onSkip: () => this.counters.framesSkipped++,
        onError: (frame, err) => {
          this.counters.encodeErrors++;
          this.log(`frame ${frame.seq}: JPEG encode failed: ${(err as Error).message}`);
        },
      }),
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
    this.hub.broadcastEvent(message);
  }

  private onSessionEvent(event: SessionEvent): void {
    switch (event.kind) {
      case 'frame':
        this.counters.framesIn++;
        this.recentFrames.push(event.frame);
        if (this.recentFrames.length > this.config.cropFrameCache) this.recentFrames.shift();
        this.frameInput.next(event.frame);
        return;
      case 'overlay':
        this.lastOverlay = json(toWire(event));
        this.broadcastLatest('overlay', this.lastOverlay);
        return;
      case 'differential':
        this.lastDifferential = json(toWire(event));
        this.broadcastLatest('differential', this.lastDifferential);
        return;
      case 'status':
        this.lastStatus = json(toWire(event, { slide: this.options.slide }));
        this.broadcastLatest('status', this.lastStatus);
        return;
      case 'health':
        this.lastHealth = json(toWire(event));
        this.broadcastLatest('health', this.lastHealth);
        return;
      case 'counted':
        void this.onCounted(event.cell);
        return;
      case 'cell-updated': {
        const cell = this.gallery.find((c) => c.cellId === event.cellId);
        if (cell !== undefined) {
          const index = this.gallery.indexOf(cell);
          this.gallery[index] = { ...cell, type: event.cellType, review: event.review };
        }
        this.broadcastEvent(json(toWire(event)));
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
    this.hub.broadcastLatest(kind, data);
  }

  private broadcastEvent(data: string): void {
    this.hub.broadcastEvent(data);
  }

  // -------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // No secrets and no scan data in /healthz: whether the server is up, and how responsive over the last metrics interval.
    serveStatic(req, res, this.ui, () => ({ ok: true, protocol: PROTOCOL_VERSION, eventLoopDelay: this.loopDelay.last, rssBytes: process.memoryUsage.rss() }));
  }

  // -------------------------------------------------------------------------
  // Viewers (upgrade, outboxes, heartbeat: viewer-hub.ts)
  // -------------------------------------------------------------------------

  /** What a viewer gets as it connects: hello, the gallery, then the last of each state-like message. */
  private greet(viewer: Viewer): void {
    const { outbox, role } = viewer;
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
    const ack = (scan?: ScanState) => this.reply(viewer, { v: PROTOCOL_VERSION, type: 'ack', ...withId, command: message.type, ...(scan ? { scan } : {}) });
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
      ack();
    } catch (err) {
      this.replyError(viewer, 'failed', `${message.type} failed: ${(err as Error).message}`, id);
    }
  }

  private notAvailable(viewer: Viewer, what: string, id: string | undefined): void {
    this.replyError(viewer, 'not_available', `${what} is not available: this server has no scan store`, id);
  }

  private pushMetrics(): void {
    const intervalS = this.config.metricsIntervalMs / 1000;
    const rssBytes = process.memoryUsage.rss();
    const delay = this.loopDelay.last;
    for (const viewer of this.hub.all()) {
      const stats = viewer.outbox.stats();
      const sentFps = (stats.sent.frame - viewer.framesSentAtLastMetrics) / intervalS;
      viewer.framesSentAtLastMetrics = stats.sent.frame;
      viewer.outbox.offer(
        'metrics',
        json({
          v: PROTOCOL_VERSION,
          type: 'metrics',
          viewers: this.hub.size,
          sentFps,
          dropped: { ...stats.dropped },
          framesEncoded: this.counters.framesEncoded,
          framesSkipped: this.counters.framesSkipped,
          rssBytes,
          eventLoopDelayMs: delay.maxMs,
          eventLoopDelay: { p50Ms: delay.p50Ms, p99Ms: delay.p99Ms, maxMs: delay.maxMs },
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
      this.loopDelay.close();
      await this.hub.close();
      await new Promise<void>((resolve) => {
        if (!this.http.listening) return resolve();
        this.http.close(() => resolve());
        this.http.closeAllConnections();
      });
    })();
    return this.closing;
  }
}
