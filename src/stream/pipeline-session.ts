/**
 * The real scan session behind `leukoscan serve`: the live pipeline
 * (capture → colour → detect, src/pipeline) feeds the slide counter
 * (src/track), counted cells go to the scan store (src/store) when there is
 * one, and everything is offered to the stream server as SessionEvents.
 *
 * Counts are derived, never kept twice: the live differential is computed from
 * the counter's counted cells with the operator's reviews applied.
 *
 * Lifecycle: start → (pause ⇄ start) → stop; reset begins a new scan. Pausing
 * unsubscribes the pipeline (ffmpeg ends, the detector idles) but keeps the
 * slide map, so a cell still in view after a resume is not counted twice.
 * When the differential reaches the target the scan pauses as 'complete'.
 */
import { BehaviorSubject, type Observable, Subject, type Subscription, concat, defer, of } from 'rxjs';
import { LEUKOCYTE_TYPES, type LeukocyteType, isLeukocyteType } from '../core/classes.js';
import type { DetectionsXyxyPixels } from '../core/detections.js';
import type { Frame } from '../core/frame.js';
import { describeHealth } from '../capture/health.js';
import type { LiveEvent } from '../pipeline/live-types.js';
import type { ScanStore } from '../store/scan-store.js';
import type { ModelIdentity, ReviewAction as StoreReviewAction, ScanSummary as StoredScanSummary } from '../store/types.js';
import { recordCountUpdate } from '../store/track-adapter.js';
import { wilsonInterval } from '../store/differential.js';
import type { TrackConfigInput } from '../track/config.js';
import { encodeCropJpeg } from '../track/encode-crops.js';
import { SlideCounter } from '../track/slide-counter.js';
import { DEFAULT_STAGE_PACE_CONFIG, StagePace, type StagePaceConfig } from '../track/stage-pace.js';
import type { CountUpdate, CountedFrame, TrackEvent } from '../track/types.js';
import type { CalibrationHealth, CountedCell, DifferentialRow, OverlayCell, ScanDetail, ScanSummary } from './protocol.js';
import {
  type ReviewRequest,
  type ReviewResult,
  type ScanHistory,
  type ScanSession,
  SessionCommandError,
  type SessionCommand,
  type SessionDifferential,
  type SessionEvent,
  type SessionHealth,
  type SessionOverlay,
  type SessionStatus,
} from './session.js';

export interface PipelineSessionStore {
  readonly store: ScanStore;
  readonly model: ModelIdentity;
  /** Who runs the scan (stored with it). */
  readonly operator: string;
}

export interface PipelineSessionOptions {
  /** Starts the live pipeline for a source URI (capture → normalise → detect). Nothing runs until subscribed. */
  pipeline(source: string): Observable<LiveEvent>;
  /** Throws (with a message for the operator) when a source URI cannot be used. */
  validateSource(source: string): void;
  source: string;
  target: number;
  track?: TrackConfigInput;
  /** Stage-pace settings (e.g. the cell size at the camera's scale: src/track/scale.ts); defaults otherwise. */
  stagePace?: Partial<Omit<StagePaceConfig, 'minObservations'>>;
  /** The detector's calibration: read into health.pipeline.calibration, restarted by 'recalibrate'. Absent: not calibrated. */
  calibration?: { read(): CalibrationHealth | null; recalibrate(): void };
  /** The scan store; null runs without persistence (no review, no history). */
  store: PipelineSessionStore | null;
  /** Most cells sent in an `openScan` reply. */
  maxCellsInScanDetail?: number;
  /** Called with operational lines (errors that are not shown elsewhere). */
  log?: (line: string) => void;
}

interface ReviewOverride {
  readonly rejected: boolean;
  readonly type: LeukocyteType | null;
}

const DEFAULT_MAX_CELLS_IN_DETAIL = 200;
const UNTYPED_LABEL = 'WBC';
/** Classes drawn from raw detections (the tracker follows leukocytes only). */
const OTHER_CLASSES = new Set(['RBC', 'Platelets']);

export class PipelineScanSession implements ScanSession {
  readonly history: ScanHistory | null;
  readonly events$: Observable<SessionEvent>;
  private readonly subject = new Subject<SessionEvent>();
  private readonly status$: BehaviorSubject<SessionStatus>;
  private differential: SessionDifferential;
  private health: SessionHealth;
  private readonly log: (line: string) => void;

  private counter: SlideCounter;
  /** Stage step between analysed frames against the counting policy's limit (health.pipeline.stagePace). */
  private readonly stagePace: StagePace;
  private latest: CountUpdate | null = null;
  private overrides = new Map<number, ReviewOverride>();
  private pipelineSub: Subscription | null = null;
  private storeScanId: number | null = null;
  private localScanNumber = 0;
  /** Session-wide frame numbering, so a resumed or switched source continues the counter's sequence. */
  private nextSeq = 0;
  private seqOffset: number | null = null;
  /** Bumped when a scan is reset: work queued for the old scan is dropped. */
  private generation = 0;
  private writeChain: Promise<void> = Promise.resolve();
  private lastOthers: { seq: number; pose: { x: number; y: number }; segment: number; boxes: OverlayCell[] } | null = null;
  private closed = false;
  private storeEventsSub: Subscription | null = null;

  constructor(private readonly options: PipelineSessionOptions) {
    this.log = options.log ?? (() => {});
    options.validateSource(options.source);
    this.counter = new SlideCounter(options.track ?? {});
    this.stagePace = new StagePace({
      ...DEFAULT_STAGE_PACE_CONFIG,
      ...options.stagePace,
      minObservations: this.counter.config.count.minObservations,
    });
    this.status$ = new BehaviorSubject<SessionStatus>({
      scan: 'idle',
      target: options.target,
      source: options.source,
      scanId: null,
      startedAtMs: null,
    });
    this.differential = this.deriveDifferential();
    this.health = {
      source: { uri: options.source, state: 'starting', fps: 0, message: null },
      pipeline: { fps: 0, detectFps: 0, detectMs: null, droppedFrames: 0, stagePace: null },
    };
    this.events$ = concat(
      defer(() =>
        of<SessionEvent[]>(
          { kind: 'status', status: this.status$.value },
          { kind: 'differential', differential: this.differential },
          { kind: 'health', health: this.health },
        ),
      ),
      this.subject,
    );
    this.history = options.store === null ? null : this.makeHistory(options.store);
    // A full disk (or another write failure) pauses the scan with the store's message; the store
    // holds the cells and retries, so nothing is lost. The operator resumes with Start.
    this.storeEventsSub = options.store?.store.events$.subscribe((e) => {
      if (e.type !== 'paused' || this.closed) return;
      this.log(e.message);
      this.setHealth({ ...this.health, source: { ...this.health.source, state: 'error', message: e.message } });
      if (this.status$.value.scan === 'running') {
        this.unsubscribePipeline();
        this.setStatus({ ...this.status$.value, scan: 'paused' });
      }
    }) ?? null;
  }

  get status(): SessionStatus {
    return this.status$.value;
  }

  async execute(command: SessionCommand): Promise<void> {
    if (this.closed) throw new SessionCommandError('the scan session is closed');
    const status = this.status$.value;
    switch (command.type) {
      case 'start':
        if (status.scan === 'running') return;
        if (status.scan === 'complete' && this.differential.total >= status.target) {
          throw new SessionCommandError(`the target of ${status.target} cells is reached: raise the target or reset to count more`);
        }
        if (status.scan === 'stopped') {
          // A stopped scan is finished: Start begins a new one.
          this.newScanState();
          this.subject.next({ kind: 'reset' });
          this.emitDifferential();
          this.status$.next({ ...this.status$.value, scanId: null, startedAtMs: null });
        }
        this.beginStoreScan();
        this.setStatus({
          ...this.status$.value,
          scan: 'running',
          startedAtMs: this.status$.value.startedAtMs ?? Date.now(),
          scanId: this.scanIdString(),
        });
        this.subscribePipeline();
        return;
      case 'pause':
        if (status.scan !== 'running') throw new SessionCommandError(`cannot pause a scan that is ${status.scan}`);
        this.unsubscribePipeline();
        if (this.options.store && this.storeScanId !== null) this.options.store.store.pauseScan(this.storeScanId, 'operator');
        this.setStatus({ ...status, scan: 'paused' });
        return;
      case 'stop':
        if (status.scan === 'idle' || status.scan === 'stopped') return;
        await this.endScan('completed');
        this.setStatus({ ...this.status$.value, scan: 'stopped' });
        return;
      case 'reset': {
        const wasRunning = status.scan === 'running';
        await this.endScan('aborted');
        this.newScanState();
        this.subject.next({ kind: 'reset' });
        this.emitDifferential();
        if (wasRunning) {
          this.beginStoreScan();
          this.setStatus({ ...this.status$.value, scan: 'running', startedAtMs: Date.now(), scanId: this.scanIdString() });
          if (this.pipelineSub === null) this.subscribePipeline();
        } else {
          this.setStatus({ ...this.status$.value, scan: 'idle', startedAtMs: null, scanId: null });
        }
        return;
      }
      case 'recalibrate':
        if (this.options.calibration === undefined) throw new SessionCommandError('this server does not calibrate (--calibration off)');
        this.options.calibration.recalibrate();
        this.setHealth({ ...this.health, pipeline: { ...this.health.pipeline, calibration: this.options.calibration.read() } });
        return;
      case 'setTarget': {
        this.setStatus({ ...status, target: command.target, ...(status.scan === 'complete' && this.differential.total < command.target ? { scan: 'paused' as const } : {}) });
        this.emitDifferential();
        this.checkTarget();
        return;
      }
      case 'setSource': {
        try {
          this.options.validateSource(command.source);
        } catch (err) {
          throw new SessionCommandError((err as Error).message);
        }
        const running = this.pipelineSub !== null;
        this.unsubscribePipeline();
        this.setStatus({ ...this.status$.value, source: command.source });
        this.setHealth({ ...this.health, source: { uri: command.source, state: 'starting', fps: 0, message: null } });
        if (running) this.subscribePipeline();
        return;
      }
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.storeEventsSub?.unsubscribe();
    this.unsubscribePipeline();
    await this.writeChain;
    if (this.options.store && this.storeScanId !== null) {
      const status = this.status$.value.scan;
      // A scan left running or paused is recorded as paused, so it can be resumed from the file.
      if (status === 'running' || status === 'paused' || status === 'complete') this.options.store.store.pauseScan(this.storeScanId, 'server closed');
    }
    this.subject.complete();
  }

  // -------------------------------------------------------------------------
  // Pipeline
  // -------------------------------------------------------------------------

  private subscribePipeline(): void {
    if (this.pipelineSub !== null) return;
    this.seqOffset = null;
    this.stagePace.reset();
    const source = this.status$.value.source;
    this.setHealth({ ...this.health, source: { uri: source, state: 'starting', fps: 0, message: null } });
    this.pipelineSub = this.options.pipeline(source).subscribe({
      next: (event) => this.onLiveEvent(event),
      error: (err: unknown) => {
        this.pipelineSub = null;
        const message = err instanceof Error ? err.message : String(err);
        this.log(`source ${source} failed: ${message}`);
        this.setHealth({ ...this.health, source: { ...this.health.source, state: 'error', message } });
        void this.endScan('aborted').then(() => this.setStatus({ ...this.status$.value, scan: 'stopped' }));
      },
      complete: () => {
        this.pipelineSub = null;
        this.setHealth({ ...this.health, source: { ...this.health.source, state: 'ended', fps: 0, message: 'the source ended' } });
        void this.endScan('completed').then(() => this.setStatus({ ...this.status$.value, scan: 'stopped' }));
      },
    });
  }

  private unsubscribePipeline(): void {
    this.pipelineSub?.unsubscribe();
    this.pipelineSub = null;
  }

  /** Renumbers a frame into the session's sequence (the same offset for its later detections). */
  private renumber(frame: Frame): Frame {
    if (this.seqOffset === null) this.seqOffset = this.nextSeq - frame.seq;
    const seq = frame.seq + this.seqOffset;
    if (seq >= this.nextSeq) this.nextSeq = seq + 1;
    return seq === frame.seq ? frame : { ...frame, seq };
  }

  private onLiveEvent(event: LiveEvent): void {
    switch (event.type) {
      case 'frame': {
        const frame = this.renumber(event.frame);
        this.subject.next({ kind: 'frame', frame });
        this.count(frame, null);
        return;
      }
      case 'detections': {
        if (this.seqOffset === null) return;
        const frame = this.renumber(event.frame);
        this.count(frame, event.detections);
        return;
      }
      case 'health': {
        const h = event.health;
        const source = { ...this.health.source };
        if (h.type === 'fps') source.fps = h.fps;
        else if (h.type === 'connected') Object.assign(source, { state: 'running', message: null });
        else if (h.type === 'stalled') Object.assign(source, { state: 'stalled', message: describeHealth(h) });
        else Object.assign(source, { state: 'starting', message: describeHealth(h) });
        this.setHealth({ ...this.health, source });
        return;
      }
      case 'metrics': {
        const m = event.metrics;
        this.setHealth({
          ...this.health,
          pipeline: {
            fps: m.fpsIn,
            detectFps: m.fpsDetected,
            detectMs: Number.isFinite(m.detectP50Ms) ? m.detectP50Ms : null,
            droppedFrames: m.framesSkipped,
            stagePace: this.stagePace.current,
            ...(this.options.calibration === undefined ? {} : { calibration: this.options.calibration.read() }),
          },
        });
        return;
      }
    }
  }

  private count(frame: Frame, detections: DetectionsXyxyPixels | null): void {
    if (this.status$.value.scan !== 'running') return;
    let update: CountUpdate;
    try {
      update = this.counter.update({ frame, detections });
    } catch (err) {
      // A frame the counter cannot place (e.g. a detection for a frame long gone) is skipped, not fatal.
      this.log(`frame ${frame.seq}: ${(err as Error).message}`);
      return;
    }
    this.latest = update;
    this.stagePace.update(update.frame);
    if (detections !== null) this.rememberOthers(update.frame, detections);
    this.subject.next({ kind: 'overlay', overlay: this.overlayOf(update.frame) });
    if (update.events.some((e) => e.kind === 'cell-counted' || e.kind === 'cell-retyped')) this.persistAndAnnounce(update);
    if (update.events.some((e) => e.kind === 'differential-changed' || e.kind === 'cell-counted' || e.kind === 'cell-retyped')) {
      this.emitDifferential();
      this.checkTarget();
    }
  }

  private checkTarget(): void {
    const status = this.status$.value;
    if (status.scan === 'running' && this.differential.total >= status.target) {
      this.unsubscribePipeline();
      if (this.options.store && this.storeScanId !== null) this.options.store.store.pauseScan(this.storeScanId, 'target reached');
      this.setStatus({ ...status, scan: 'complete' });
    }
  }

  /** Encodes crops, stores the cells (in order) and announces them to viewers. */
  private persistAndAnnounce(update: CountUpdate): void {
    const generation = this.generation;
    const scanId = this.storeScanId;
    this.writeChain = this.writeChain
      .then(async () => {
        const events: TrackEvent[] = [];
        for (const e of update.events) {
          if (e.kind === 'cell-counted' && e.crop?.format === 'rgb24') {
            events.push({ ...e, crop: await encodeCropJpeg(e.crop).catch(() => null) });
          } else events.push(e);
        }
        if (generation !== this.generation) return;
        const encoded: CountUpdate = { ...update, events };
        if (this.options.store && scanId !== null) {
          try {
            recordCountUpdate(this.options.store.store, scanId, encoded);
          } catch (err) {
            this.log(`scan ${scanId}: storing counted cells failed: ${(err as Error).message}`);
          }
        }
        for (const e of events) {
          if (e.kind === 'cell-counted') this.announceCounted(encoded.frame, e);
          if (e.kind === 'cell-retyped') {
            const cellId = this.cellIdFor(e.cell.id);
            const override = this.overrides.get(e.cell.id);
            this.subject.next({ kind: 'cell-updated', cellId, cellType: override?.type ?? e.cell.type, review: this.reviewOf(override) });
          }
        }
      })
      .catch((err: unknown) => this.log(`counted cells: ${(err as Error).message}`));
  }

  private announceCounted(frame: CountedFrame, e: Extract<TrackEvent, { kind: 'cell-counted' }>): void {
    const visible = frame.visible.find((v) => v.cellId === e.cell.id);
    const slide = e.cell.slideBox;
    // Frame box where the cell was counted; else its slide box moved by the frame's pose.
    const box: [number, number, number, number] = visible
      ? [visible.frameBox.x1, visible.frameBox.y1, visible.frameBox.x2, visible.frameBox.y2]
      : [slide.x1 - frame.pose.x, slide.y1 - frame.pose.y, slide.x2 - frame.pose.x, slide.y2 - frame.pose.y];
    this.subject.next({
      kind: 'counted',
      cell: {
        cellId: this.cellIdFor(e.cell.id),
        trackId: e.cell.id,
        type: e.cell.type,
        score: e.cell.confidence,
        seq: e.seq,
        timestampMs: e.timestampMs,
        box,
        cropJpeg: e.crop?.format === 'jpeg' ? e.crop.data : null,
        review: null,
      },
    });
  }

  private overlayOf(frame: CountedFrame): SessionOverlay {
    const byId = new Map(frame.cells.map((c) => [c.id, c]));
    const cells: OverlayCell[] = frame.visible.map((v) => {
      const tracked = byId.get(v.cellId);
      const override = this.overrides.get(v.cellId);
      return {
        trackId: v.cellId,
        type: override?.type ?? tracked?.type ?? UNTYPED_LABEL,
        score: tracked?.meanScore ?? 0,
        box: [v.frameBox.x1, v.frameBox.y1, v.frameBox.x2, v.frameBox.y2],
        counted: frame.countedIds.has(v.cellId) && !(override?.rejected ?? false),
      };
    });
    // RBC / platelet boxes of the last detection, moved with the stage (same segment only).
    const others = this.lastOthers;
    if (others !== null && others.segment === frame.segment) {
      const dx = others.pose.x - frame.pose.x;
      const dy = others.pose.y - frame.pose.y;
      for (const o of others.boxes) cells.push({ ...o, box: [o.box[0] + dx, o.box[1] + dy, o.box[2] + dx, o.box[3] + dy] });
    }
    return { seq: frame.frame.seq, sourceWidth: frame.frame.width, sourceHeight: frame.frame.height, cells };
  }

  private rememberOthers(frame: CountedFrame, d: DetectionsXyxyPixels): void {
    const boxes: OverlayCell[] = [];
    for (let i = 0; i < d.scores.length; i++) {
      const name = d.classNames[d.classIds[i]] ?? '';
      if (!OTHER_CLASSES.has(name)) continue;
      boxes.push({ trackId: -1, type: name, score: d.scores[i], box: [d.boxes[i * 4], d.boxes[i * 4 + 1], d.boxes[i * 4 + 2], d.boxes[i * 4 + 3]], counted: false });
    }
    this.lastOthers = { seq: frame.frame.seq, pose: { ...frame.pose }, segment: frame.segment, boxes };
  }

  // -------------------------------------------------------------------------
  // Derived state
  // -------------------------------------------------------------------------

  /** The differential from the counter's counted cells with reviews applied (Wilson 95% intervals). */
  private deriveDifferential(): SessionDifferential {
    const counts: Record<LeukocyteType, number> = { NEU: 0, LYM: 0, MON: 0, EOS: 0, BAS: 0 };
    for (const cell of this.counter.countedCells()) {
      const override = this.overrides.get(cell.id);
      if (override?.rejected) continue;
      counts[override?.type ?? cell.type]++;
    }
    const total = LEUKOCYTE_TYPES.reduce((sum, t) => sum + counts[t], 0);
    const rows: DifferentialRow[] = LEUKOCYTE_TYPES.map((type) => {
      const ci = wilsonInterval(counts[type], total);
      return { type, count: counts[type], percent: total > 0 ? (counts[type] / total) * 100 : 0, ciLow: ci.low, ciHigh: ci.high };
    });
    return { total, target: this.status$?.value.target ?? this.options.target, rows, ciMethod: 'wilson-95' };
  }

  private emitDifferential(): void {
    this.differential = this.deriveDifferential();
    this.subject.next({ kind: 'differential', differential: this.differential });
  }

  private setStatus(status: SessionStatus): void {
    this.status$.next(status);
    this.subject.next({ kind: 'status', status });
  }

  private setHealth(health: SessionHealth): void {
    this.health = health;
    this.subject.next({ kind: 'health', health });
  }

  private newScanState(): void {
    this.generation++;
    this.counter = new SlideCounter(this.options.track ?? {});
    this.stagePace.reset();
    this.latest = null;
    this.overrides = new Map();
    this.lastOthers = null;
    this.seqOffset = null;
  }

  /** Starts a store scan for a new scan, or takes the current one back after a pause. */
  private beginStoreScan(): void {
    const s = this.options.store;
    if (s === null) {
      if (this.status$.value.scanId === null) this.localScanNumber++;
      return;
    }
    if (this.storeScanId !== null) {
      try {
        s.store.resumeScan(this.storeScanId);
      } catch (err) {
        this.log(`scan ${this.storeScanId}: ${(err as Error).message}`);
      }
      return;
    }
    const status = this.status$.value;
    this.storeScanId = s.store.startScan({ source: status.source, model: s.model, operator: s.operator, target: status.target }).id;
  }

  private async endScan(status: 'completed' | 'aborted'): Promise<void> {
    this.unsubscribePipeline();
    await this.writeChain;
    const s = this.options.store;
    if (s !== null && this.storeScanId !== null) {
      try {
        await s.store.endScan(this.storeScanId, status);
      } catch (err) {
        this.log(`scan ${this.storeScanId}: ending it failed: ${(err as Error).message}`);
      }
    }
    this.storeScanId = null;
  }

  private scanIdString(): string {
    return this.storeScanId !== null ? String(this.storeScanId) : `local-${this.localScanNumber}`;
  }

  /** `<scanId>:<trackId>` with a store (the store resolves it), `live:<trackId>` without. */
  private cellIdFor(trackId: number): string {
    return this.storeScanId !== null ? `${this.storeScanId}:${trackId}` : `live:${trackId}`;
  }

  private reviewOf(override: ReviewOverride | undefined): CountedCell['review'] {
    if (override === undefined) return null;
    return override.rejected ? { action: 'reject' } : { action: 'reclassify', ...(override.type ? { newType: override.type } : {}) };
  }

  // -------------------------------------------------------------------------
  // History and review (store)
  // -------------------------------------------------------------------------

  private makeHistory(s: PipelineSessionStore): ScanHistory {
    const maxCells = this.options.maxCellsInScanDetail ?? DEFAULT_MAX_CELLS_IN_DETAIL;
    const parseScanId = (text: string): number => {
      const id = Number(text);
      if (!Number.isInteger(id) || id <= 0) throw new SessionCommandError(`'${text}' is not a scan id`);
      return id;
    };
    return {
      listScans: async (limit: number): Promise<ScanSummary[]> =>
        s.store.listScans({ limit }).map(toScanSummary),
      openScan: async (scanIdText: string): Promise<ScanDetail> => {
        const loaded = s.store.loadScan(parseScanId(scanIdText), { crops: true });
        return {
          summary: toScanSummary(loaded.scan),
          rows: loaded.differential.rows.map((r) => ({ type: r.type, count: r.count, percent: r.percent, ciLow: r.ci95.low, ciHigh: r.ci95.high })),
          cells: loaded.cells.slice(-maxCells).map((c) => ({
            cellId: `${c.scanId}:${c.trackId}`,
            trackId: c.trackId,
            type: c.type ?? c.modelType,
            score: c.confidence,
            seq: 0,
            timestampMs: c.lastSeenMs,
            box: [0, 0, 0, 0],
            cropJpegBase64: c.cropJpeg ? Buffer.from(c.cropJpeg).toString('base64') : null,
            review: c.rejected ? { action: 'reject' } : c.reviewed && c.type !== null && c.type !== c.modelType ? { action: 'reclassify', newType: c.type } : null,
          })),
        };
      },
      review: async (request: ReviewRequest): Promise<ReviewResult> => {
        const match = /^(\d+):(\d+)$/.exec(request.cellId);
        if (match === null) throw new SessionCommandError(`cell '${request.cellId}' is not a stored cell`);
        const scanId = Number(match[1]);
        const trackId = Number(match[2]);
        // Flushes what is queued first, so a cell just shown in the gallery can be reviewed.
        const storeCellId = await s.store.cellIdForTrack(scanId, trackId);
        if (storeCellId === null) throw new SessionCommandError(`cell ${request.cellId} is not stored yet; try again in a moment`);
        let action: StoreReviewAction;
        if (request.action === 'reclassify') {
          if (request.newType === undefined || !isLeukocyteType(request.newType)) throw new SessionCommandError('reclassify needs a leukocyte type');
          action = { kind: 'reclassify', to: request.newType };
        } else action = { kind: request.action };
        // Audit: the technologist running this server, and which dashboard connection made the change.
        const { review } = await s.store.review(storeCellId, action, `${s.operator} via ${request.operator}`);
        const record = s.store.getCell(storeCellId);
        const override: ReviewOverride | undefined =
          review.action === 'restore' ? undefined : { rejected: record.rejected, type: record.type };
        if (scanId === this.storeScanId) {
          if (override === undefined) this.overrides.delete(trackId);
          else this.overrides.set(trackId, override);
          this.emitDifferential();
        }
        this.subject.next({ kind: 'cell-updated', cellId: request.cellId, cellType: record.type ?? record.modelType, review: this.reviewOf(override) });
        return { cellId: request.cellId, action: request.action, ...(request.newType ? { newType: request.newType } : {}) };
      },
    };
  }
}

/** A stored scan as the protocol's history row. */
function toScanSummary(scan: StoredScanSummary): ScanSummary {
  return {
    scanId: String(scan.id),
    startedAtMs: scan.startedAtMs,
    endedAtMs: scan.endedAtMs,
    source: scan.source,
    total: scan.cellsCounted,
    target: scan.target,
  };
}
