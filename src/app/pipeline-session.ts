/**
 * The real scan session behind `leukoscan serve`: the live pipeline (capture → colour → detect,
 * src/pipeline) feeds the live-counting stage (src/app/live-counting.ts), counted cells go to the
 * scan store when there is one (src/app/scan-record.ts), and everything is offered to the stream
 * server as SessionEvents.
 *
 * Every operator command, and every change the pipeline or the store reports, goes through ONE
 * serial queue into the pure lifecycle reducer (src/app/scan-lifecycle.ts); its effects run in
 * order before the next input is taken, and each command resolves with the status it left. So a
 * double click or three resets in a row cannot open two scans or leave the pipeline running while
 * the status says otherwise.
 *
 * Counts are derived, never kept twice: the live differential is computed from the counter's
 * counted cells with the store's reviews applied (src/app/live-differential.ts).
 */
import { type Observable, Subject, type Subscription, concat, defer, of } from 'rxjs';
import type { DetectionsXyxyPixels } from '../core/detections.js';
import type { Frame } from '../core/frame.js';
import { redactUri } from '../capture/redact-uri.js';
import type { LiveEvent } from '../pipeline/live-types.js';
import type { CountUpdate, FrameRegistration } from '../track/types.js';
import { InterruptedScans } from './interrupted-scans.js';
import { withJpegCrops, countedCellEvents } from './counted-cells.js';
import { LiveCounting } from './live-counting.js';
import { OffThreadRegistrar } from './off-thread-registrar.js';
import { initialHealth, withPipelineMetrics, withSourceHealth } from './source-health.js';
import { liveDifferential, toDifferentialBody } from './live-differential.js';
import { storeHistory } from './scan-history.js';
import {
  type LifecycleEffect,
  type LifecycleInput,
  type LifecycleState,
  initialLifecycle,
  isScanOpen,
  reduceLifecycle,
} from './scan-lifecycle.js';
import { type PipelineSessionStore, ScanRecord } from './scan-record.js';
import { SerialQueue } from './serial-queue.js';
import { checkNewSource } from './source-check.js';
import {
  type ScanHistory,
  type ScanSession,
  SessionCommandError,
  type SessionCommand,
  type SessionDifferential,
  type SessionEvent,
  type SessionHealth,
  type SessionStatus,
} from '../stream/session.js';
import type { PipelineSessionOptions } from './pipeline-session-options.js';

export type { PipelineSessionStore } from './scan-record.js';
export type { PipelineSessionOptions } from './pipeline-session-options.js';

export class PipelineScanSession implements ScanSession {
  readonly history: ScanHistory | null;
  readonly events$: Observable<SessionEvent>;
  private readonly subject = new Subject<SessionEvent>();
  private readonly log: (line: string) => void;
  private readonly queue = new SerialQueue();
  private readonly counting: LiveCounting;
  /** The registration worker (options.registerOffThread); null: frames are registered inline. */
  private readonly registrar: OffThreadRegistrar | null;
  private readonly record: ScanRecord;
  private readonly interrupted: InterruptedScans;
  private lifecycle: LifecycleState;
  private statusValue: SessionStatus;
  private differential: SessionDifferential;
  private health: SessionHealth;
  private pipelineSub: Subscription | null = null;
  /** Bumped at each connect: reports of an earlier pipeline are dropped. */
  private connection = 0;
  /** Bumped when the counts are cleared: work queued for the old scan is dropped. */
  private generation = 0;
  private writeChain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly storeEventsSub: Subscription | null;

  constructor(private readonly options: PipelineSessionOptions) {
    this.log = options.log ?? (() => {});
    options.validateSource(options.source);
    this.counting = new LiveCounting(options.track ?? {}, options.stagePace);
    this.registrar = options.registerOffThread === true ? new OffThreadRegistrar({ config: this.counting.registrationConfig }) : null;
    this.record = new ScanRecord(options.store, this.log);
    this.interrupted = new InterruptedScans(options.store?.store ?? null);
    this.lifecycle = initialLifecycle(options.source, options.target);
    this.statusValue = this.deriveStatus();
    this.differential = this.deriveDifferential();
    this.health = initialHealth(options.source);
    this.events$ = concat(
      defer(() =>
        of<SessionEvent[]>(
          { kind: 'status', status: this.statusValue },
          { kind: 'differential', differential: this.differential },
          { kind: 'health', health: this.health },
        ),
      ),
      this.subject,
    );
    this.history =
      options.store === null
        ? null
        : storeHistory({
            binding: options.store,
            maxCells: options.maxCellsInScanDetail,
            onReviewed: (scanId, cell) => {
              if (scanId === this.record.storeId) this.emitDifferential();
              this.subject.next({ kind: 'cell-updated', ...cell });
            },
          });
    // A full disk (or another write failure) pauses the scan with the store's message; the store
    // holds the cells and retries, so nothing is lost. The operator resumes with Start.
    this.storeEventsSub =
      options.store?.store.events$.subscribe((e) => {
        if (e.type !== 'paused' || this.closed) return;
        this.log(e.message);
        this.setHealth({ ...this.health, source: { ...this.health.source, state: 'error', message: e.message } });
        this.enqueue({ type: 'storePaused' });
      }) ?? null;
  }

  get status(): SessionStatus {
    return this.statusValue;
  }

  /** Queues a command behind those sent before it; resolves with the status it left. */
  execute(command: SessionCommand): Promise<SessionStatus> {
    if (this.closed) return Promise.reject(new SessionCommandError('the scan session is closed'));
    return this.queue.run(async () => {
      switch (command.type) {
        case 'setSource':
          await checkNewSource(this.options, command.source, this.lifecycle.source);
          return this.apply(command);
        case 'resumeInterrupted': {
          await this.apply({ type: 'resumeInterrupted', scan: this.interrupted.take(command.scanId, this.lifecycle.target) });
          this.interrupted.refresh();
          return this.publishStatus();
        }
        case 'closeInterrupted':
          this.interrupted.close(command.scanId);
          return this.publishStatus();
        case 'recalibrate':
          if (this.options.calibration === undefined) throw new SessionCommandError('this server does not calibrate (--calibration off)');
          this.options.calibration.recalibrate();
          this.setHealth({ ...this.health, pipeline: { ...this.health.pipeline, calibration: this.options.calibration.read() } });
          return this.publishStatus();
        default:
          return this.apply(command);
      }
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.storeEventsSub?.unsubscribe();
    await this.queue.run(async () => {
      this.unsubscribePipeline();
      await this.writeChain;
      // A scan left open is recorded as paused, so it can be resumed from the file.
      if (isScanOpen(this.lifecycle.phase)) this.record.pause('server closed');
      this.subject.complete();
    });
    await this.registrar?.release();
  }

  // -------------------------------------------------------------------------
  // Lifecycle: one input at a time through the reducer
  // -------------------------------------------------------------------------

  private async apply(input: LifecycleInput): Promise<SessionStatus> {
    if (this.closed) throw new SessionCommandError('the scan session is closed');
    const result = reduceLifecycle(this.lifecycle, input, { nowMs: Date.now(), total: this.differential.total });
    if (!result.ok) throw new SessionCommandError(result.error);
    const targetChanged = result.state.target !== this.lifecycle.target;
    this.lifecycle = result.state;
    for (const effect of result.effects) await this.runEffect(effect);
    if (targetChanged) this.emitDifferential();
    return this.publishStatus();
  }

  /** Queues an input from the pipeline or the store; `connection` drops it if that pipeline is gone. */
  private enqueue(input: LifecycleInput, connection?: number): void {
    void this.queue
      .run(async () => {
        if (this.closed || (connection !== undefined && connection !== this.connection)) return;
        await this.apply(input);
      })
      .catch((err: unknown) => this.log(`${input.type}: ${(err as Error).message}`));
  }

  private async runEffect(effect: LifecycleEffect): Promise<void> {
    switch (effect.kind) {
      case 'open-scan':
        return this.record.open({ source: this.lifecycle.source, target: this.lifecycle.target });
      case 'reopen-scan':
        return this.record.reopen();
      case 'take-over-scan':
        this.record.takeOver(effect.scanId);
        return this.emitDifferential();
      case 'pause-scan':
        return this.record.pause(effect.reason);
      case 'end-scan':
        await this.writeChain;
        return this.record.end(effect.status);
      case 'clear-counts':
        this.generation++;
        this.counting.clear();
        this.registrar?.reset();
        this.subject.next({ kind: 'reset' });
        return this.emitDifferential();
      case 'connect':
        return this.subscribePipeline();
      case 'disconnect':
        return this.unsubscribePipeline();
    }
  }

  private deriveStatus(): SessionStatus {
    const { phase, target, source, startedAtMs } = this.lifecycle;
    const scanId = phase === 'idle' ? null : this.record.displayId;
    return { scan: phase, target, source: redactUri(source), scanId, startedAtMs, interrupted: this.interrupted.offer };
  }

  private publishStatus(): SessionStatus {
    const next = this.deriveStatus();
    if (JSON.stringify(next) === JSON.stringify(this.statusValue)) return this.statusValue;
    this.statusValue = next;
    this.subject.next({ kind: 'status', status: next });
    return next;
  }

  // -------------------------------------------------------------------------
  // Pipeline
  // -------------------------------------------------------------------------

  private subscribePipeline(): void {
    if (this.pipelineSub !== null) return;
    const connection = ++this.connection;
    this.counting.reconnected();
    const source = this.lifecycle.source;
    this.setHealth({ ...this.health, source: { uri: redactUri(source), state: 'starting', fps: 0, message: null } });
    this.pipelineSub = this.options.pipeline(source).subscribe({
      next: (event) => this.onLiveEvent(event),
      error: (err: unknown) => {
        this.pipelineSub = null;
        const message = redactUri(err instanceof Error ? err.message : String(err));
        this.log(`source ${redactUri(source)} failed: ${message}`);
        this.setHealth({ ...this.health, source: { ...this.health.source, state: 'error', message } });
        this.enqueue({ type: 'sourceFailed' }, connection);
      },
      complete: () => {
        this.pipelineSub = null;
        this.setHealth({ ...this.health, source: { ...this.health.source, state: 'ended', fps: 0, message: 'the source ended' } });
        this.enqueue({ type: 'sourceEnded' }, connection);
      },
    });
  }

  private unsubscribePipeline(): void {
    this.pipelineSub?.unsubscribe();
    this.pipelineSub = null;
  }

  private onLiveEvent(event: LiveEvent): void {
    switch (event.type) {
      case 'frame': {
        const frame = this.counting.frame(event.frame);
        this.subject.next({ kind: 'frame', frame });
        this.count(frame, null, event.sentToDetector);
        return;
      }
      case 'detections': {
        const frame = this.counting.detectionFrame(event.frame);
        if (frame !== null) this.count(frame, event.detections);
        return;
      }
      case 'health':
        return this.setHealth(withSourceHealth(this.health, event.health));
      case 'metrics':
        return this.setHealth(withPipelineMetrics(this.health, event.metrics, this.counting.stagePace, this.options.calibration?.read()));
    }
  }

  private count(frame: Frame, detections: DetectionsXyxyPixels | null, sentToDetector = true): void {
    // Past the target nothing more is counted; the queued 'targetReached' disconnects the pipeline.
    if (this.lifecycle.phase !== 'running' || this.differential.total >= this.lifecycle.target) return;
    if (this.registrar === null) return this.countRegistered(frame, detections, undefined);
    const generation = this.generation; // in order, once the worker placed the frame; a reset or the target reached meanwhile drops it
    const count = (registration: FrameRegistration | undefined) => {
      if (!this.closed && generation === this.generation && this.differential.total < this.lifecycle.target) this.countRegistered(frame, detections, registration);
    };
    this.registrar.schedule(frame, { droppable: detections === null && !sentToDetector }, count, (err) => this.log(`frame ${frame.seq}: ${err.message}`));
  }

  private countRegistered(frame: Frame, detections: DetectionsXyxyPixels | null, registration: FrameRegistration | undefined): void {
    let update: CountUpdate;
    try {
      update = this.counting.update(frame, detections, registration);
    } catch (err) {
      // A frame the counter cannot place (e.g. a detection for a frame long gone) is skipped, not fatal.
      this.log(`frame ${frame.seq}: ${(err as Error).message}`);
      return;
    }
    const changed = update.events.some((e) => e.kind === 'cell-counted' || e.kind === 'cell-retyped' || e.kind === 'cell-retracted');
    this.subject.next({ kind: 'overlay', overlay: this.counting.overlay(update.frame, this.record.reviewed()) });
    if (changed) this.persistAndAnnounce(update);
    if (changed || update.events.some((e) => e.kind === 'differential-changed')) {
      this.emitDifferential();
      if (this.differential.total >= this.lifecycle.target) this.enqueue({ type: 'targetReached' });
    }
  }

  /** Encodes crops, stores the cells (in order) and announces them to viewers. */
  private persistAndAnnounce(update: CountUpdate): void {
    const generation = this.generation;
    const scanId = this.record.storeId;
    this.writeChain = this.writeChain
      .then(async () => {
        const encoded = await withJpegCrops(update);
        if (generation !== this.generation) return;
        this.record.record(scanId, encoded);
        for (const e of countedCellEvents(encoded, this.record, this.record.reviewed())) this.subject.next(e);
      })
      .catch((err: unknown) => this.log(`counted cells: ${(err as Error).message}`));
  }

  // -------------------------------------------------------------------------
  // Derived state
  // -------------------------------------------------------------------------

  private deriveDifferential(): SessionDifferential {
    const target = this.lifecycle.target;
    return toDifferentialBody(liveDifferential({ cells: this.counting.countedCells(), reviewed: this.record.reviewed(), base: this.record.baseCounts, target }), target);
  }

  private emitDifferential(): void {
    this.differential = this.deriveDifferential();
    this.subject.next({ kind: 'differential', differential: this.differential });
  }

  private setHealth(health: SessionHealth): void {
    this.health = health;
    this.subject.next({ kind: 'health', health });
  }
}
