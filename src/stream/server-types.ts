/** What StreamServer takes (its options) and reports (its stats). */
import type { Auth } from './auth.js';
import type { StreamConfig } from './config.js';
import type { Role } from './protocol.js';
import type { ScanSession } from './session.js';
import type { UiAssets } from './ui-assets.js';

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
