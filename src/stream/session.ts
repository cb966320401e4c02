/**
 * The "scan session" the stream server is built around: whatever runs the
 * scan (the live pipeline + tracker in `leukoscan serve`, a scripted session in
 * tests) is injected behind this interface, so the server knows nothing of
 * capture, detection or tracking.
 */
import type { Observable } from 'rxjs';
import type { Frame } from '../core/frame.js';
import type {
  CalibrationHealth,
  CountedCell,
  DifferentialBody,
  OverlayCell,
  ReviewAction,
  ScanDetail,
  ScanState,
  ScanSummary,
} from './protocol.js';
import type { LeukocyteType } from '../core/classes.js';

export interface SessionStatus {
  readonly scan: ScanState;
  readonly target: number;
  /** The source, camera credentials redacted (rtsp://user:***@host/…). */
  readonly source: string;
  readonly scanId: string | null;
  readonly startedAtMs: number | null;
  /** A scan whose process died, offered for resume (or close) until the operator decides; null if none. */
  readonly interrupted?: InterruptedScanOffer | null;
}

export interface InterruptedScanOffer {
  readonly scanId: string;
  /** Cells it had counted (rejected ones excluded). */
  readonly cells: number;
  readonly target: number | null;
}

/** The live differential as the wire carries it (src/track's `Differential`, mapped by `toDifferentialBody`). */
export type SessionDifferential = DifferentialBody;

export interface SessionHealth {
  readonly source: {
    readonly uri: string;
    /** reconnecting: a live source failed or stalled and ffmpeg is restarted with backoff. */
    readonly state: 'starting' | 'running' | 'stalled' | 'reconnecting' | 'ended' | 'error';
    readonly fps: number;
    readonly message: string | null;
  };
  readonly pipeline: {
    readonly fps: number;
    readonly detectFps: number;
    readonly detectMs: number | null;
    readonly droppedFrames: number;
    /**
     * Median stage step between analysed frames over the most that still lets each
     * cell be seen whole in the counting policy's minimum of them (src/track/stage-pace.ts):
     * above 1 the stage moves too fast for the detector and cells can be missed. Null: not known yet.
     */
    readonly stagePace: number | null;
    /** The detector's calibration (health.pipeline.calibration); absent: not calibrated. */
    readonly calibration?: CalibrationHealth | null;
  };
}

export interface SessionOverlay {
  /** Seq of the frame these boxes belong to. */
  readonly seq: number;
  readonly sourceWidth: number;
  readonly sourceHeight: number;
  readonly cells: readonly OverlayCell[];
}

/** A counted cell before the server has encoded its crop. */
export interface SessionCountedCell extends Omit<CountedCell, 'cropJpegBase64'> {
  /** JPEG bytes of the crop, when the session has one; otherwise the server cuts it from the frame `seq` if still held. */
  readonly cropJpeg: Uint8Array | null;
}

export type SessionEvent =
  /** A frame for display (every frame the pipeline sees; the server throttles and encodes). */
  | { readonly kind: 'frame'; readonly frame: Frame }
  | { readonly kind: 'overlay'; readonly overlay: SessionOverlay }
  | { readonly kind: 'counted'; readonly cell: SessionCountedCell }
  /** A counted cell's type changed (tracker retyping, or a review). The session emits it after a review too. */
  | { readonly kind: 'cell-updated'; readonly cellId: string; readonly cellType: LeukocyteType; readonly review: CountedCell['review'] }
  /** A counted cell's count was taken back: it is the cell `keptCellId`, counted earlier (src/track 'cell-retracted'). */
  | { readonly kind: 'cell-retracted'; readonly cellId: string; readonly keptCellId: string }
  | { readonly kind: 'differential'; readonly differential: SessionDifferential }
  | { readonly kind: 'status'; readonly status: SessionStatus }
  | { readonly kind: 'health'; readonly health: SessionHealth }
  /** The scan was reset (or a new one started): galleries empty. */
  | { readonly kind: 'reset' };

export type SessionCommand =
  | { readonly type: 'start' }
  | { readonly type: 'pause' }
  | { readonly type: 'stop' }
  | { readonly type: 'reset' }
  | { readonly type: 'recalibrate' }
  | { readonly type: 'setTarget'; readonly target: number }
  | { readonly type: 'setSource'; readonly source: string }
  /** Continue the interrupted scan on offer: same counts, same target. */
  | { readonly type: 'resumeInterrupted'; readonly scanId: string }
  /** Close the interrupted scan on offer as 'interrupted', with its counts. */
  | { readonly type: 'closeInterrupted'; readonly scanId: string };

export interface ReviewRequest {
  readonly cellId: string;
  readonly action: ReviewAction;
  readonly newType?: LeukocyteType;
  /** Who asked (for the audit trail). */
  readonly operator: string;
}

export interface ReviewResult {
  readonly cellId: string;
  readonly action: ReviewAction;
  readonly newType?: LeukocyteType;
}

/** Persistence-backed features (review, history); null when the session has no store. */
export interface ScanHistory {
  listScans(limit: number): Promise<ScanSummary[]>;
  openScan(scanId: string): Promise<ScanDetail>;
  review(request: ReviewRequest): Promise<ReviewResult>;
}

export interface ScanSession {
  /**
   * Hot stream of everything the session produces. On subscription it must
   * emit the current status, differential and health at once (like a
   * BehaviorSubject), then changes as they happen.
   */
  readonly events$: Observable<SessionEvent>;
  /**
   * Runs an operator command after those sent before it (one at a time, in order); resolves with the
   * status it left, rejects with an Error whose message is shown to the operator.
   */
  execute(command: SessionCommand): Promise<SessionStatus>;
  readonly history: ScanHistory | null;
  /** Stops the scan and releases everything it owns. Idempotent. */
  close(): Promise<void>;
}

/** Error whose message is safe and useful to show to a viewer. */
export class SessionCommandError extends Error {
  override readonly name = 'SessionCommandError';
}
