/**
 * The dashboard's one WebSocket: connects with the page's token, validates
 * every message with the shared protocol, reconnects with backoff, and sends
 * typed requests with ids.
 */
import {
  PROTOCOL_VERSION,
  decodeFrameMessage,
  parseServerMessage,
  type ClientMessage,
  type FrameHeader,
  type ServerMessage,
} from '../../src/stream/protocol.js';

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/** A request as the UI builds it: the connection adds `v` and `id`. */
export type Request = ClientMessage extends infer M ? (M extends ClientMessage ? Omit<M, 'v' | 'id'> : never) : never;

export interface ConnectionHandlers {
  onMessage(message: ServerMessage): void;
  onFrame(header: FrameHeader, jpeg: Uint8Array): void;
  onState(state: ConnectionState, detail: string): void;
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000];

export class Connection {
  private ws: WebSocket | null = null;
  private attempt = 0;
  private nextId = 1;
  private stopped = false;
  private everOpened = false;

  constructor(
    private readonly url: string,
    private readonly handlers: ConnectionHandlers,
  ) {}

  static forPage(token: string, handlers: ConnectionHandlers): Connection {
    const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
    return new Connection(`${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`, handlers);
  }

  open(): void {
    this.stopped = false;
    this.connect();
  }

  /** Sends a request; returns its id (replies carry it). False when not connected. */
  send(request: Request): string | null {
    if (this.ws === null || this.ws.readyState !== WebSocket.OPEN) return null;
    const id = `r${this.nextId++}`;
    const message = { ...request, v: PROTOCOL_VERSION, id } as ClientMessage;
    this.ws.send(JSON.stringify(message));
    return id;
  }

  close(): void {
    this.stopped = true;
    this.ws?.close(1000, 'bye');
  }

  private connect(): void {
    this.handlers.onState(this.attempt === 0 ? 'connecting' : 'reconnecting', '');
    const ws = new WebSocket(this.url);
    ws.binaryType = 'arraybuffer';
    this.ws = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.everOpened = true;
      this.handlers.onState('open', '');
    };
    ws.onmessage = (ev: MessageEvent<string | ArrayBuffer>) => {
      if (typeof ev.data === 'string') {
        const parsed = parseServerMessage(ev.data);
        if (parsed.ok) this.handlers.onMessage(parsed.message);
        else console.warn('leukoscan: ignored an invalid server message:', parsed.error);
      } else {
        const decoded = decodeFrameMessage(new Uint8Array(ev.data));
        if (decoded.ok) this.handlers.onFrame(decoded.header, decoded.jpeg);
        else console.warn('leukoscan: ignored an invalid frame:', decoded.error);
      }
    };
    ws.onclose = (ev) => {
      this.ws = null;
      if (this.stopped) {
        this.handlers.onState('closed', 'closed');
        return;
      }
      const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
      this.attempt++;
      const why = !this.everOpened && ev.code === 1006
        ? 'cannot connect: check that the token in the address is right and the server is running'
        : ev.reason || `connection lost (${ev.code})`;
      this.handlers.onState('reconnecting', `${why}; retrying in ${Math.round(delay / 1000)} s`);
      setTimeout(() => this.connect(), delay);
    };
  }
}
