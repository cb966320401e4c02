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
import { type StreamConfig, resolveStreamConfig } from './config.js';
import { dispatchCommand, errorMessage } from './command-dispatch.js';
import { Gallery } from './gallery.js';
import { encodeFrameJpeg, type EncodedFrame } from './jpeg.js';
import { encodeFrames } from './operators/encode-frames.js';
import {
  CLOSE_CODES,
  type ClientMessage,
  type ErrorCode,
  PROTOCOL_VERSION,
  type ServerMessage,
  encodeFrameMessage,
  parseClientMessage,
  roleAllows,
} from './protocol.js';
import type { SessionCountedCell, SessionEvent } from './session.js';
import { LoopDelayMonitor } from './loop-delay.js';
import { serveStatic } from './static-http.js';
import { toWire } from './to-wire.js';
import { buildUiAssets, type UiAssets } from './ui-assets.js';
import type { SlotKind } from './viewer-outbox.js';
import { ViewerHub, type Viewer } from './viewer-hub.js';
import { pushMetrics, serverStats, type ServerCounters } from './viewer-metrics.js';
import type { ServerStats, StreamServerOptions } from './server-types.js';

export type { ServerStats, StreamServerOptions, ViewerStats } from './server-types.js';

const GREET_ORDER: readonly SlotKind[] = ['status', 'differential', 'health', 'overlay', 'frame'];

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

  /** The last of each state-like message, offered to a viewer as it connects. */
  private readonly latest = new Map<SlotKind, string | Uint8Array>();
  private readonly gallery: Gallery;
  private readonly frameInput = new Subject<Frame>();

  private readonly counters: ServerCounters = {
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
    const { galleryLimit, cropFrameCache, cropSize, cropMarginFraction, jpegQuality } = this.config;
    this.gallery = new Gallery({ limit: galleryLimit, frameCache: cropFrameCache, crop: { size: cropSize, marginFraction: cropMarginFraction, quality: jpegQuality } });
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
    return serverStats(this.hub, this.counters);
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
        this.gallery.rememberFrame(event.frame);
        this.frameInput.next(event.frame);
        return;
      case 'overlay':
        this.broadcastLatest('overlay', json(toWire(event)));
        return;
      case 'differential':
        this.broadcastLatest('differential', json(toWire(event)));
        return;
      case 'status':
        this.broadcastLatest('status', json(toWire(event, { slide: this.options.slide })));
        return;
      case 'health':
        this.broadcastLatest('health', json(toWire(event)));
        return;
      case 'counted':
        void this.onCounted(event.cell);
        return;
      case 'cell-updated': {
        this.gallery.update(event.cellId, event.cellType, event.review);
        this.broadcastEvent(json(toWire(event)));
        return;
      }
      case 'cell-retracted':
        this.gallery.remove(event.cellId);
        this.broadcastEvent(json(toWire(event)));
        return;
      case 'reset':
        this.gallery.reset();
        this.latest.delete('overlay');
        this.broadcastEvent(json({ v: PROTOCOL_VERSION, type: 'gallery', cells: [] }));
        return;
    }
  }

  private async onCounted(input: SessionCountedCell): Promise<void> {
    const cell = await this.gallery.add(input);
    if (cell !== null) this.broadcastEvent(json({ v: PROTOCOL_VERSION, type: 'counted', cell }));
  }

  private onEncodedFrame(encoded: EncodedFrame): void {
    this.counters.framesEncoded++;
    // One buffer for every viewer: ws frames it per socket without copying the payload here.
    const message = encodeFrameMessage(encoded.header, encoded.jpeg);
    this.broadcastLatest('frame', message);
  }

  private broadcastLatest(kind: SlotKind, data: string | Uint8Array): void {
    this.latest.set(kind, data);
    this.hub.broadcastLatest(kind, data);
  }

  private broadcastEvent(data: string): void {
    this.hub.broadcastEvent(data);
  }

  // -------------------------------------------------------------------------
  // HTTP
  // -------------------------------------------------------------------------

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    // No secrets and no scan data in /healthz: whether the server is up, and how responsive over the last metrics interval and since the start.
    serveStatic(req, res, this.ui, () => ({ ok: true, protocol: PROTOCOL_VERSION, eventLoopDelay: this.loopDelay.last, eventLoopDelaySinceStart: this.loopDelay.sinceStart, rssBytes: process.memoryUsage.rss() }));
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
    outbox.enqueue(json({ v: PROTOCOL_VERSION, type: 'gallery', cells: this.gallery.snapshot() }));
    for (const kind of GREET_ORDER) {
      const data = this.latest.get(kind);
      if (data !== undefined) outbox.offer(kind, data);
    }
  }

  private reply(viewer: Viewer, message: ServerMessage): void {
    viewer.outbox.enqueue(json(message));
  }

  private replyError(viewer: Viewer, code: ErrorCode, message: string, id?: string): void {
    this.reply(viewer, errorMessage(code, message, id));
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
    // For the audit trail: which dashboard connection made the change.
    this.reply(viewer, await dispatchCommand(this.options.session, message, `dashboard viewer ${viewer.id} (${viewer.address})`));
  }

  private pushMetrics(): void {
    pushMetrics(this.hub, this.counters, this.config.metricsIntervalMs / 1000, this.loopDelay.last);
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
