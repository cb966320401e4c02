/**
 * The live scan's record in the scan store (or its local number when there is no store): opens,
 * takes back, pauses and ends it, queues its counted cells, and reads back what reviews decided.
 * The store owns the reviews; this only derives the live view's overrides from them.
 */
import type { LeukocyteType } from '../core/classes.js';
import { recordCountUpdate } from '../store/track-adapter.js';
import type { ScanStore } from '../store/scan-store.js';
import type { ModelIdentity } from '../store/types.js';
import type { CountUpdate } from '../track/types.js';
import type { ReviewedType } from './live-counting.js';

export interface PipelineSessionStore {
  readonly store: ScanStore;
  readonly model: ModelIdentity;
  /** Who runs the scan (stored with it). */
  readonly operator: string;
}

export interface OpenScanRequest {
  readonly source: string;
  readonly target: number;
}

export class ScanRecord {
  private storeScanId: number | null = null;
  private lastScanId: string | null = null;
  private localScanNumber = 0;
  /** First writer session of the live counter's cells (earlier sessions are an interrupted scan's). */
  private fromSession = 0;
  /** The interrupted scan taken over, whose earlier sessions' counts are the live base; null otherwise. */
  private baseScanId: number | null = null;

  constructor(
    private readonly binding: PipelineSessionStore | null,
    private readonly log: (line: string) => void,
  ) {}

  /** The open scan's store id, or null (no store, or no scan open). */
  get storeId(): number | null {
    return this.storeScanId;
  }

  /** Id shown to viewers: the store's, else `local-N`; the last one is kept after the scan ends. */
  get displayId(): string | null {
    return this.lastScanId;
  }

  /** Counted types stored before the live counter started (a resumed scan's earlier counts, reviews applied). */
  get baseCounts(): Partial<Record<LeukocyteType, number>> {
    if (this.binding === null || this.baseScanId === null) return {};
    return this.binding.store.typeCountsBefore(this.baseScanId, this.fromSession).counts;
  }

  open(request: OpenScanRequest): void {
    this.baseScanId = null;
    this.fromSession = 0;
    if (this.binding === null) {
      this.localScanNumber++;
      this.lastScanId = `local-${this.localScanNumber}`;
      return;
    }
    const { store, model, operator } = this.binding;
    this.storeScanId = store.startScan({ source: request.source, model, operator, target: request.target }).id;
    this.fromSession = store.writerSession(this.storeScanId) ?? 0;
    this.lastScanId = String(this.storeScanId);
  }

  /** Takes back the open scan after a pause. */
  reopen(): void {
    if (this.binding === null || this.storeScanId === null) return;
    try {
      this.binding.store.resumeScan(this.storeScanId);
    } catch (err) {
      this.log(`scan ${this.storeScanId}: ${(err as Error).message}`);
    }
  }

  /** Takes over an interrupted scan from the file: its stored counts become the live base. */
  takeOver(scanId: number): void {
    if (this.binding === null) throw new Error('resuming a scan needs the scan store');
    const { store } = this.binding;
    store.resumeScan(scanId);
    this.storeScanId = scanId;
    this.lastScanId = String(scanId);
    this.fromSession = store.writerSession(scanId) ?? 0;
    this.baseScanId = scanId;
  }

  pause(reason: string): void {
    if (this.binding === null || this.storeScanId === null) return;
    this.binding.store.pauseScan(this.storeScanId, reason);
  }

  /** Flushes the queued cells and ends the scan in the store. */
  async end(status: 'completed' | 'aborted'): Promise<void> {
    const id = this.storeScanId;
    this.storeScanId = null;
    if (this.binding === null || id === null) return;
    try {
      await this.binding.store.endScan(id, status);
    } catch (err) {
      this.log(`scan ${id}: ending it failed: ${(err as Error).message}`);
    }
  }

  /** Queues a count update's cells for `scanId` (the scan open when the update was counted). */
  record(scanId: number | null, update: CountUpdate): void {
    if (this.binding === null || scanId === null) return;
    try {
      recordCountUpdate(this.binding.store, scanId, update);
    } catch (err) {
      this.log(`scan ${scanId}: storing counted cells failed: ${(err as Error).message}`);
    }
  }

  /** `<scanId>:<trackId>` with a store (the store resolves it), `live:<trackId>` without. */
  cellIdFor(trackId: number): string {
    return this.storeScanId !== null ? `${this.storeScanId}:${trackId}` : `live:${trackId}`;
  }

  /** The live counter's reviewed cells, read from the store now. */
  reviewed(): (trackId: number) => ReviewedType | undefined {
    if (this.binding === null || this.storeScanId === null) return () => undefined;
    const tracks = this.binding.store.reviewedTracks(this.storeScanId, this.fromSession);
    if (tracks.size === 0) return () => undefined;
    return (trackId) => {
      if (!tracks.has(trackId)) return undefined;
      const type = tracks.get(trackId) ?? null;
      return { rejected: type === null, type };
    };
  }
}
