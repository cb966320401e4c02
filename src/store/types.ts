/**
 * Public shapes of the scan store (src/store). The dashboard (src/stream, ui/) and the
 * reports (src/report) read these; nothing outside src/store sees a database row.
 *
 * Times are milliseconds since the Unix epoch. Cell ids are the store's own (stable,
 * unique across scans); track ids are the tracker's, unique within one scan.
 */
import type { LeukocyteType } from '../core/classes.js';
import type { Differential } from '../track/types.js';

/**
 * Stored status. A 'running' or 'paused' scan whose writer process is gone is reported with
 * `interrupted: true`; 'interrupted' is such a scan closed by the operator instead of resumed.
 */
export type ScanStatus = 'running' | 'paused' | 'completed' | 'aborted' | 'interrupted';

export interface ModelIdentity {
  /** Model name (the card's `name`, e.g. 'leukoscan-lite'). */
  readonly name: string;
  /** sha256 of the ONNX file, hex. */
  readonly sha256: string;
  /** Model card date or version string, when known. */
  readonly version?: string | null;
}

/** What startScan needs. */
export interface ScanStart {
  /** Where frames came from: a device path, an RTSP URL or a file. */
  readonly source: string;
  readonly model: ModelIdentity;
  /** The camera colour profile in use (JSON-serialisable), or null. */
  readonly colourProfile?: unknown;
  /** Technologist who runs the scan. */
  readonly operator: string;
  /** Number of leukocytes to count before the differential is complete (e.g. 100), or null. */
  readonly target?: number | null;
  /** leukoscan version; defaults to package.json's. */
  readonly softwareVersion?: string;
  /** Defaults to now. */
  readonly startedAtMs?: number;
}

export interface ScanRecord {
  readonly id: number;
  readonly source: string;
  readonly model: ModelIdentity;
  readonly colourProfile: unknown;
  readonly operator: string;
  readonly target: number | null;
  readonly softwareVersion: string;
  readonly startedAtMs: number;
  readonly endedAtMs: number | null;
  readonly status: ScanStatus;
  /** Its process died while it was open (crash, kill, power loss): still open in the file, or closed as 'interrupted'. */
  readonly interrupted: boolean;
}

/** A scan in the history list, with its counts. */
export interface ScanSummary extends ScanRecord {
  /** Counted cells stored, rejected ones included (retracted ones not: they were never one more cell). */
  readonly cellsStored: number;
  /** Cells in the differential (stored minus rejected). */
  readonly cellsCounted: number;
  readonly cellsRejected: number;
  readonly reviews: number;
}

/** Position of a counted cell in slide coordinates (the tracker's frame of reference). */
export interface SlidePosition {
  /** Centre of the cell. */
  readonly x: number;
  readonly y: number;
  /** Box size, when known. */
  readonly width?: number | null;
  readonly height?: number | null;
}

/** Per-type evidence the tracker collected for one cell (e.g. frames voting for each type, or summed scores). */
export type TypeVotes = Partial<Record<LeukocyteType, number>>;

/** One counted cell as the pipeline hands it to the store. */
export interface CountedCellInput {
  /** Tracker id; unique within the scan's session. Writing the same (scan, session, trackId) twice keeps the first. */
  readonly trackId: number;
  /** Type the model/tracker settled on. */
  readonly type: LeukocyteType;
  /** In [0, 1]. */
  readonly confidence: number;
  readonly votes: TypeVotes;
  readonly slide: SlidePosition;
  /** Registration segment (a new one starts when slide registration is lost), or null. */
  readonly segment?: number | null;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  /** Small JPEG of the cell for the gallery (see encodeCropJpeg), or null. */
  readonly cropJpeg?: Uint8Array | null;
}

/** The tracker retyped a counted cell after more observations (src/track 'cell-retyped'). */
export interface CellRetypeInput {
  readonly trackId: number;
  readonly type: LeukocyteType;
  readonly confidence?: number | null;
  readonly votes?: TypeVotes | null;
}

/**
 * The tracker took a count back (src/track 'cell-retracted'): a segment merge showed the counted
 * cell `trackId` to be the cell `keptTrackId`, counted earlier in the same session.
 */
export interface CellRetractInput {
  readonly trackId: number;
  readonly keptTrackId: number;
}

/** A stored cell, with its current (reviewed) state. Retracted cells are not read back. */
export interface CellRecord {
  readonly id: number;
  readonly scanId: number;
  /** Writer session: 0 for the first, +1 at each resumeScan (the tracker may restart its ids). */
  readonly session: number;
  /** The tracker's id, unique within (scan, session). */
  readonly trackId: number;
  /** What the model/tracker said (its latest retype included). */
  readonly modelType: LeukocyteType;
  /** What counts now: the model's type, or the last review's; null when rejected. */
  readonly type: LeukocyteType | null;
  readonly rejected: boolean;
  readonly reviewed: boolean;
  readonly confidence: number;
  readonly votes: TypeVotes;
  readonly slide: SlidePosition;
  readonly segment: number | null;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
  readonly recordedAtMs: number;
  readonly hasCrop: boolean;
  /** Present only when asked for (loadScan(id, { crops: true })) or via cellCrop(id). */
  readonly cropJpeg?: Uint8Array | null;
}

/** What a technologist does to one cell. 'restore' undoes earlier reviews (back to the model's type). */
export type ReviewAction =
  | { readonly kind: 'reclassify'; readonly to: LeukocyteType; readonly note?: string }
  | { readonly kind: 'reject'; readonly note?: string }
  | { readonly kind: 'restore'; readonly note?: string };

/** One audited change. oldType/newType are the cell's counted type before/after (null = rejected). */
export interface ReviewRecord {
  readonly id: number;
  readonly cellId: number;
  readonly scanId: number;
  readonly operator: string;
  readonly atMs: number;
  readonly action: ReviewAction['kind'];
  readonly oldType: LeukocyteType | null;
  readonly newType: LeukocyteType | null;
  readonly note: string | null;
}

/**
 * A stored scan's differential (src/track's one `Differential`), derived from stored cells and
 * reviews (never kept anywhere else), with the scan's bookkeeping beside it.
 */
export interface ScanDifferential extends Differential {
  readonly scanId: number;
  /** Cells in the differential (rejected ones excluded): `total`. */
  readonly counted: number;
  readonly rejected: number;
  /** Cells queued in memory and not yet in the file (they are not in the counts). */
  readonly pending: number;
}

export interface ScanEventRecord {
  readonly id: number;
  readonly scanId: number | null;
  readonly atMs: number;
  readonly kind: string;
  readonly detail: unknown;
}

/** A scan with everything a report needs. */
export interface LoadedScan {
  readonly scan: ScanSummary;
  readonly differential: ScanDifferential;
  readonly cells: readonly CellRecord[];
  readonly reviews: readonly ReviewRecord[];
  readonly events: readonly ScanEventRecord[];
}

/** Live notifications from the store (ScanStore.events$). */
export type StoreEvent =
  | {
      readonly type: 'cells-stored';
      readonly scanId: number;
      /** Store ids of the cells just committed (cells already stored under the same track id are left out). */
      readonly cells: readonly { readonly id: number; readonly trackId: number }[];
      /** How long the transaction took (ms). */
      readonly flushMs: number;
    }
  | {
      readonly type: 'write-error';
      /** SQLite error code, e.g. 'SQLITE_FULL'. */
      readonly code: string;
      readonly message: string;
      readonly diskFull: boolean;
      /** Cells held in memory, waiting for the retry. */
      readonly pending: number;
      readonly retryInMs: number;
    }
  /** Writes are failing: the pipeline should pause counting (new cells are still held up to maxPendingCells). */
  | { readonly type: 'paused'; readonly reason: 'disk-full' | 'write-error'; readonly message: string }
  /** Writes succeed again; everything held was written. */
  | { readonly type: 'resumed'; readonly pausedMs: number; readonly written: number }
  /** Counts the tracker took back were committed: these cells are out of the scan's cells and differential. */
  | {
      readonly type: 'cells-retracted';
      readonly scanId: number;
      /** Store ids of the retracted cells, with the store id of the cell each was one with. */
      readonly cells: readonly { readonly id: number; readonly trackId: number; readonly keptId: number | null }[];
    }
  | { readonly type: 'reviewed'; readonly review: ReviewRecord; readonly differential: ScanDifferential }
  | { readonly type: 'scan-started'; readonly scan: ScanRecord }
  | { readonly type: 'scan-resumed'; readonly scan: ScanRecord }
  | { readonly type: 'scan-ended'; readonly scan: ScanRecord };
