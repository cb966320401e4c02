/** What PipelineScanSession (pipeline-session.ts) is built from: the pipeline, the source checks, the store, the target. */
import type { Observable } from 'rxjs';
import type { PipelineSessionStore } from './scan-record.js';
import type { LiveEvent } from '../pipeline/live-types.js';
import type { TrackConfigInput } from '../track/config.js';
import type { StagePaceConfig } from '../track/stage-pace.js';
import type { CalibrationHealth } from '../stream/protocol.js';

export interface PipelineSessionOptions {
  /** Starts the live pipeline for a source URI (capture → normalise → detect). Nothing runs until subscribed. */
  pipeline(source: string): Observable<LiveEvent>;
  /** Throws (with a message for the operator) when a source URI cannot be parsed. */
  validateSource(source: string): void;
  /**
   * Opens a source and reads one frame within a time limit; rejects with the reason. A running
   * scan is switched only once its new source passed. Left out: sources are only parsed.
   */
  probeSource?(source: string): Promise<void>;
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
  /**
   * Registers the stage (phase correlation, ~10 ms a frame) in a worker thread, off the event loop,
   * with the same results (src/app/off-thread-registrar.ts); `leukoscan serve` does. Left out: on
   * the calling thread, synchronously.
   */
  registerOffThread?: boolean;
  /** Called with operational lines (errors that are not shown elsewhere). */
  log?: (line: string) => void;
}
