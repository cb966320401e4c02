/**
 * The `auto` calibration source of CalibratedDetector: the calibration core's Calibrator
 * (src/calibration/calibrator.ts: warm-up medians, refined, then held; frames with no red
 * cells keep the last good calibration) read as a FrameCalibrator.
 *
 * `perImage` (detect, eval): every image is calibrated by itself (warm-up of one frame).
 */
import type { Frame } from '../core/frame.js';
import type { ModelCard } from '../core/model-card.js';
import { Calibrator, type CalibrationState, type CalibratorOptions } from '../calibration/calibrator.js';
import type { CellColourReference } from '../calibration/colour-fit.js';
import type { CalibrationReading, FrameCalibrator } from './calibration-state.js';

export interface AutoCalibratorOptions extends Partial<Omit<CalibratorOptions, 'reference' | 'profile'>> {
  /** The model card's colour reference; absent: scale and field only (no colour transform). */
  readonly reference?: CellColourReference;
  /** Each image by itself (one-frame warm-up). */
  readonly perImage?: boolean;
}

/** The colour reference a card gives the calibrator (cell statistics where the card has them). */
export function colourReferenceOf(card: Pick<ModelCard, 'colourReference'>): CellColourReference {
  const r = card.colourReference as ModelCard['colourReference'] & { cellLabMean?: [number, number, number]; cellLabStd?: [number, number, number] };
  return { backgroundRgb: r.backgroundRgb, ...(r.cellLabMean && r.cellLabStd ? { cellLabMean: r.cellLabMean, cellLabStd: r.cellLabStd } : {}) };
}

/** The core's state -> what CalibratedDetector reads. */
export function readingOf(s: CalibrationState, withColour: boolean): CalibrationReading {
  const p = s.profile;
  // the core's 'held' is "refined enough, no longer measured": calibrated. Ours is "kept despite bad frames".
  const status = p === null ? 'calibrating' : s.lastError !== null ? 'held' : 'calibrated';
  const message = s.lastError === null ? null : p === null ? s.lastError : `held (${s.lastError})`;
  return { status, scale: p?.scale ?? null, field: p?.field ?? { kind: 'full' }, colour: withColour ? (p?.colour ?? null) : null, message };
}

export class AutoCalibrator implements FrameCalibrator {
  readonly #calibrator: Calibrator;
  readonly #withColour: boolean;

  constructor(options: AutoCalibratorOptions = {}) {
    const { reference, perImage, ...rest } = options;
    this.#withColour = reference !== undefined;
    this.#calibrator = new Calibrator({
      camera: 'live',
      ...rest,
      ...(perImage ? { warmupFrames: 1 } : {}),
      // without a reference the colour fit is not used: any background will do
      reference: reference ?? { backgroundRgb: [255, 255, 255] },
    });
  }

  get current(): CalibrationReading {
    return readingOf(this.#calibrator.state, this.#withColour);
  }

  /** The core calibrator's own state (frames, good estimates, the profile it would write). */
  get state(): CalibrationState {
    return this.#calibrator.state;
  }

  observe(frame: Frame): void {
    this.#calibrator.push(frame);
  }

  reset(): void {
    this.#calibrator.recalibrate();
  }
}
