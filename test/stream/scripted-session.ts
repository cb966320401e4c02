/**
 * SCRIPTED scan session for tests and the viewer benchmark: it is NOT the
 * pipeline. It replays a fixed list of frames at a fixed rate, moves a few
 * scripted boxes across them, "counts" a scripted cell every `countEvery`
 * frames, and keeps a differential with a Wilson 95% interval, so the stream
 * server can be tested without capture, a model or a tracker.
 *
 * It measures its own frame rate (`producedFps()`), which is what the load
 * test watches: a server that blocked the event loop would make it late.
 */
import { BehaviorSubject, Observable, Subject, merge, defer, of } from 'rxjs';
import sharp from 'sharp';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { LEUKOCYTE_TYPES, type LeukocyteType } from '../../src/core/classes.js';
import type { Frame } from '../../src/core/frame.js';
import type { CalibrationHealth, DifferentialRow, OverlayCell, ScanDetail, ScanSummary } from '../../src/stream/protocol.js';
import type {
  ReviewRequest,
  ReviewResult,
  ScanHistory,
  ScanSession,
  SessionCommand,
  SessionDifferential,
  SessionEvent,
  SessionHealth,
  SessionStatus,
} from '../../src/stream/session.js';

export interface ScriptedSessionOptions {
  frames: readonly Pick<Frame, 'width' | 'height' | 'rgb'>[];
  fps: number;
  /** A scripted cell is counted every this many frames while running. */
  countEvery: number;
  target?: number;
  source?: string;
  /** Start running at once (otherwise idle until `start`). */
  autostart?: boolean;
  /** Give it an in-memory history (review/list/open); null = no store. */
  withHistory?: boolean;
  /** Report this calibration in health (after a 'recalibrate': 'calibrating…' for 30 frames). */
  calibration?: CalibrationHealth;
}

const Z95 = 1.959963984540054;

/** Wilson score interval of k/n, in percent. */
export function wilson(k: number, n: number, z = Z95): { low: number; high: number } {
  if (n === 0) return { low: 0, high: 100 };
  const p = k / n;
  const denom = 1 + (z * z) / n;
  const centre = (p + (z * z) / (2 * n)) / denom;
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / denom;
  return { low: Math.max(0, centre - half) * 100, high: Math.min(1, centre + half) * 100 };
}

/** A synthetic smear-like frame: pink background with purple discs. */
export function syntheticFrame(width: number, height: number, seed = 1): Pick<Frame, 'width' | 'height' | 'rgb'> {
  const rgb = new Uint8Array(width * height * 3);
  let s = seed;
  const rand = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const discs = Array.from({ length: 12 }, () => ({ x: rand() * width, y: rand() * height, r: 10 + rand() * 25 }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      let r = 235 - (y * 20) / height, g = 200, b = 210;
      for (const d of discs) {
        const dist = Math.hypot(x - d.x, y - d.y);
        if (dist < d.r) {
          r = 140; g = 80; b = 170;
        } else if (dist < d.r * 1.3) {
          r = 220; g = 150; b = 170;
        }
      }
      rgb[i] = r; rgb[i + 1] = g; rgb[i + 2] = b;
    }
  }
  return { width, height, rgb };
}

/** Decodes the first `count` BCCD JPEGs of a data directory to RGB frames. */
export async function loadBccdFrames(dataDir: string, count: number): Promise<Pick<Frame, 'width' | 'height' | 'rgb'>[]> {
  const dir = join(dataDir, 'bccd', 'JPEGImages');
  let names: string[];
  try {
    names = (await readdir(dir)).filter((n) => n.endsWith('.jpg')).sort().slice(0, count);
  } catch (err) {
    throw new Error(`BCCD images not found in ${dir}: ${(err as Error).message} (set LEUKOSCAN_DATA)`);
  }
  if (names.length === 0) throw new Error(`no BCCD images in ${dir}`);
  return Promise.all(
    names.map(async (name) => {
      const { data, info } = await sharp(join(dir, name)).removeAlpha().raw().toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, rgb: new Uint8Array(data.buffer, data.byteOffset, data.byteLength) };
    }),
  );
}

export class ScriptedScanSession implements ScanSession {
  readonly history: ScanHistory | null;
  private readonly status$: BehaviorSubject<SessionStatus>;
  private readonly differential$: BehaviorSubject<SessionDifferential>;
  private readonly health$: BehaviorSubject<SessionHealth>;
  private readonly live$ = new Subject<SessionEvent>();
  readonly events$: Observable<SessionEvent>;
  private timer: NodeJS.Timeout | null = null;
  private seq = 0;
  private counts: Record<LeukocyteType, number> = { NEU: 0, LYM: 0, MON: 0, EOS: 0, BAS: 0 };
  private countedCells = 0;
  private readonly producedTimes: number[] = [];
  readonly commands: SessionCommand[] = [];
  private recalibratedAtSeq: number | null = null;
  readonly reviews: ReviewRequest[] = [];

  constructor(private readonly options: ScriptedSessionOptions) {
    const target = options.target ?? 100;
    this.status$ = new BehaviorSubject<SessionStatus>({
      scan: 'idle',
      target,
      source: options.source ?? 'scripted:test',
      scanId: null,
      startedAtMs: null,
    });
    this.differential$ = new BehaviorSubject(this.differential());
    this.health$ = new BehaviorSubject<SessionHealth>({
      source: { uri: options.source ?? 'scripted:test', state: 'starting', fps: 0, message: null },
      pipeline: { fps: 0, detectFps: 0, detectMs: null, droppedFrames: 0, stagePace: null },
    });
    this.events$ = merge(
      defer(() =>
        of<SessionEvent[]>(
          { kind: 'status', status: this.status$.value },
          { kind: 'differential', differential: this.differential$.value },
          { kind: 'health', health: this.health$.value },
        ),
      ),
      this.live$,
    );
    this.history = options.withHistory ? this.makeHistory() : null;
    if (options.autostart) this.startTimer();
  }

  /** Frames produced per second over the last `windowMs`. */
  producedFps(windowMs = 5000): number {
    const now = performance.now();
    const recent = this.producedTimes.filter((t) => now - t <= windowMs);
    return recent.length / (windowMs / 1000);
  }

  get framesProduced(): number {
    return this.seq;
  }

  async execute(command: SessionCommand): Promise<SessionStatus> {
    await this.apply(command);
    return this.status$.value;
  }

  private async apply(command: SessionCommand): Promise<void> {
    this.commands.push(command);
    const status = this.status$.value;
    switch (command.type) {
      case 'start':
        this.setStatus({ ...status, scan: 'running', scanId: status.scanId ?? `scan-${Date.now()}`, startedAtMs: status.startedAtMs ?? Date.now() });
        this.startTimer();
        return;
      case 'pause':
        this.stopTimer();
        this.setStatus({ ...status, scan: 'paused' });
        return;
      case 'stop':
        this.stopTimer();
        this.setStatus({ ...status, scan: 'stopped' });
        return;
      case 'reset':
        this.counts = { NEU: 0, LYM: 0, MON: 0, EOS: 0, BAS: 0 };
        this.countedCells = 0;
        this.live$.next({ kind: 'reset' });
        this.emitDifferential();
        this.setStatus({ ...status, scanId: null, startedAtMs: null, scan: this.timer ? 'running' : 'idle' });
        return;
      case 'recalibrate':
        if (this.options.calibration === undefined) throw new Error('this session does not calibrate');
        this.recalibratedAtSeq = this.seq;
        return;
      case 'setTarget':
        this.setStatus({ ...status, target: command.target });
        this.emitDifferential();
        return;
      case 'setSource':
        if (command.source.startsWith('bad:')) throw new Error(`cannot open source ${command.source}`);
        this.setStatus({ ...status, source: command.source });
        return;
    }
  }

  /** Test hook: an event as the real session emits it (e.g. 'cell-retracted', a count the tracker took back). */
  inject(event: SessionEvent): void {
    this.live$.next(event);
  }

  async close(): Promise<void> {
    this.stopTimer();
    this.live$.complete();
  }

  private setStatus(status: SessionStatus): void {
    this.status$.next(status);
    this.live$.next({ kind: 'status', status });
  }

  private differential(): SessionDifferential {
    const total = this.countedCells;
    const rows: DifferentialRow[] = LEUKOCYTE_TYPES.map((type) => {
      const count = this.counts[type];
      const ci = wilson(count, total);
      return { type, count, percent: total === 0 ? 0 : (count / total) * 100, ciLow: ci.low, ciHigh: ci.high };
    });
    return { total, target: this.status$?.value.target ?? this.options.target ?? 100, rows, ciMethod: 'wilson-95' };
  }

  private emitDifferential(): void {
    const d = this.differential();
    this.differential$.next(d);
    this.live$.next({ kind: 'differential', differential: d });
  }

  private startTimer(): void {
    if (this.timer !== null) return;
    if (this.status$.value.scan !== 'running') {
      const s = this.status$.value;
      this.setStatus({ ...s, scan: 'running', scanId: s.scanId ?? `scan-${Date.now()}`, startedAtMs: Date.now() });
    }
    this.timer = setInterval(() => this.tick(), 1000 / this.options.fps);
  }

  private stopTimer(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const template = this.options.frames[this.seq % this.options.frames.length];
    const seq = this.seq++;
    const now = performance.now();
    this.producedTimes.push(now);
    while (this.producedTimes.length > 0 && now - this.producedTimes[0] > 10_000) this.producedTimes.shift();
    const frame: Frame = { seq, timestampMs: Date.now(), width: template.width, height: template.height, rgb: template.rgb };
    this.live$.next({ kind: 'frame', frame });

    // Three scripted cells drifting right; track ids change every 60 frames.
    const cells: OverlayCell[] = [0, 1, 2].map((k) => {
      const x = ((seq * 4 + k * 200) % (frame.width - 80)) + 10;
      const y = 60 + k * 120;
      const trackId = Math.floor(seq / 60) * 3 + k + 1;
      return {
        trackId,
        type: LEUKOCYTE_TYPES[(trackId + k) % LEUKOCYTE_TYPES.length],
        score: 0.9,
        box: [x, y, x + 70, y + 70],
        counted: seq % 60 > 30,
      };
    });
    cells.push({ trackId: 0, type: 'RBC', score: 0.8, box: [300, 300, 340, 340], counted: false });
    this.live$.next({ kind: 'overlay', overlay: { seq, sourceWidth: frame.width, sourceHeight: frame.height, cells } });

    if (seq > 0 && seq % this.options.countEvery === 0) {
      const type = LEUKOCYTE_TYPES[(seq / this.options.countEvery) % 3 === 0 ? 1 : 0];
      this.counts[type]++;
      this.countedCells++;
      const box = cells[0].box;
      this.live$.next({
        kind: 'counted',
        cell: {
          cellId: `live:${seq}`,
          trackId: cells[0].trackId,
          type,
          score: 0.9,
          seq,
          timestampMs: frame.timestampMs,
          box,
          cropJpeg: null, // the server cuts it from the frame
          review: null,
        },
      });
      this.emitDifferential();
    }
    if (seq % 15 === 0) {
      // the stage pace alternates between fine (0.5) and too fast (1.5) every two health messages
      const fps = this.producedFps(2000);
      const health: SessionHealth = {
        source: { uri: this.status$.value.source, state: 'running', fps, message: null },
        pipeline: { fps, detectFps: fps / 2, detectMs: 42, droppedFrames: Math.floor(seq / 2), stagePace: (seq / 15) % 4 < 2 ? 0.5 : 1.5, ...this.calibrationNow(seq) },
      };
      this.health$.next(health);
      this.live$.next({ kind: 'health', health });
    }
  }

  private calibrationNow(seq: number): { calibration?: CalibrationHealth } {
    const c = this.options.calibration;
    if (c === undefined) return {};
    if (this.recalibratedAtSeq !== null && seq - this.recalibratedAtSeq < 30) {
      return { calibration: { ...c, status: 'calibrating', umPerPx: null, rbcCount: null, tiles: null, message: null } };
    }
    return { calibration: c };
  }

  private makeHistory(): ScanHistory {
    const scans: ScanSummary[] = [
      { scanId: '1', startedAtMs: Date.UTC(2026, 0, 1, 9), endedAtMs: Date.UTC(2026, 0, 1, 9, 12), source: 'sim:bccd', total: 100, target: 100 },
    ];
    return {
      listScans: async (limit: number) => scans.slice(0, limit),
      openScan: async (scanId: string): Promise<ScanDetail> => {
        const summary = scans.find((s) => s.scanId === scanId);
        if (summary === undefined) throw new Error(`no scan ${scanId}`);
        const cell = { cellId: `${scanId}:1`, trackId: 1, type: 'MON' as const, score: 0.8, seq: 0, timestampMs: summary.startedAtMs, box: [0, 0, 10, 10] as [number, number, number, number], cropJpegBase64: null, review: null };
        return { summary, rows: this.differential().rows.slice(), cells: [cell] };
      },
      review: async (request: ReviewRequest): Promise<ReviewResult> => {
        this.reviews.push(request);
        const review = request.action === 'restore' ? null : { action: request.action, ...(request.newType ? { newType: request.newType } : {}) };
        this.live$.next({ kind: 'cell-updated', cellId: request.cellId, cellType: request.newType ?? 'NEU', review });
        return { cellId: request.cellId, action: request.action, ...(request.newType ? { newType: request.newType } : {}) };
      },
    };
  }
}
