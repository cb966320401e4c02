/** A WebSocket test viewer that records what the server sends, validated with the shared protocol. */
import { WebSocket } from 'ws';
import {
  decodeFrameMessage,
  parseServerMessage,
  type FrameHeader,
  type ServerMessage,
  type ServerMessageOf,
} from '../../src/stream/protocol.js';

export interface ClosedInfo {
  code: number;
  reason: string;
}

export class TestViewer {
  readonly messages: ServerMessage[] = [];
  readonly frames: { header: FrameHeader; jpegBytes: number }[] = [];
  readonly invalid: string[] = [];
  closed: ClosedInfo | null = null;
  private waiters: (() => void)[] = [];

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
      if (isBinary) {
        const decoded = decodeFrameMessage(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength));
        if (decoded.ok) this.frames.push({ header: decoded.header, jpegBytes: decoded.jpeg.byteLength });
        else this.invalid.push(decoded.error);
      } else {
        const parsed = parseServerMessage(buf.toString('utf8'));
        if (parsed.ok) this.messages.push(parsed.message);
        else this.invalid.push(parsed.error);
      }
      this.wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
    ws.on('error', () => this.wake());
  }

  static connect(url: string, options: { autoPong?: boolean } = {}): Promise<TestViewer> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { autoPong: options.autoPong ?? true });
      const viewer = new TestViewer(ws);
      ws.once('open', () => resolve(viewer));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  send(value: unknown): void {
    this.ws.send(typeof value === 'string' ? value : JSON.stringify(value));
  }

  of<T extends ServerMessage['type']>(type: T): ServerMessageOf<T>[] {
    return this.messages.filter((m): m is ServerMessageOf<T> => m.type === type);
  }

  /** Resolves once `predicate` holds; rejects after `timeoutMs` with what was seen. */
  waitFor(predicate: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate()) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter((w) => w !== check);
          resolve();
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out waiting for ${what}; got ${this.messages.map((m) => m.type).join(',')} and ${this.frames.length} frames`));
      }, timeoutMs);
      if (!check()) this.waiters.push(check);
    });
  }

  waitForType<T extends ServerMessage['type']>(type: T, count = 1, timeoutMs?: number): Promise<ServerMessageOf<T>> {
    return this.waitFor(() => this.of(type).length >= count, `${count} ${type}`, timeoutMs).then(() => this.of(type)[count - 1]);
  }

  waitForClose(timeoutMs = 5000): Promise<ClosedInfo> {
    return this.waitFor(() => this.closed !== null, 'close', timeoutMs).then(() => this.closed as ClosedInfo);
  }

  close(): void {
    this.ws.terminate();
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }
}

/** Tries an upgrade (as a browser page of `origin`, if given) and returns the HTTP status the server refused it with (or 101). */
export function upgradeStatus(url: string, origin?: string): Promise<number> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin === undefined ? {} : { origin });
    ws.once('open', () => {
      ws.terminate();
      resolve(101);
    });
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.once('error', () => resolve(0));
  });
}
