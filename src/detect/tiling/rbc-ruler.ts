/**
 * The detector as a ruler (pure): the red cells it found give the frame's scale in the same
 * convention as the card's training scale (median sqrt(w*h) of red-cell boxes). The calibration
 * core's estimate needs no detector and can be far off on a single frame with few, clumped red
 * cells; once the frame has gone through the model near the training scale, the detected red cells
 * measure the scale directly. CalibratedDetector uses this to correct (per image) or refine (live)
 * the scale it resamples to.
 *
 *   const m = measureRbcDiameter(dets, RULER_DEFAULTS);  // { diameterPx, count } | null
 *   const r = rulerDisagreement(m.diameterPx, usedDiameterPx, RULER_DEFAULTS); // 'agrees' | 'rescale' | 'untrusted'
 */
import type { DetectionsXyxyPixels } from '../../core/detections.js';
import { median } from '../../calibration/aggregate.js';
import type { RulerConfig } from './config.js';

export interface RulerMeasure {
  /** Median sqrt(w*h) of the red-cell boxes used, frame px. */
  readonly diameterPx: number;
  /** Red-cell boxes behind it. */
  readonly count: number;
}

/**
 * Median red-cell size of a frame's detections, or null with fewer than `minRbc` usable boxes.
 * Usable: class `rbcClass`, score >= `minScore`, not touching the frame's edge (a cell cut by the
 * edge is smaller than it is).
 */
export function measureRbcDiameter(dets: DetectionsXyxyPixels, cfg: Pick<RulerConfig, 'rbcClass' | 'minScore' | 'minRbc' | 'edgeMarginPx'>): RulerMeasure | null {
  const rbc = dets.classNames.indexOf(cfg.rbcClass);
  if (rbc < 0) return null;
  const m = cfg.edgeMarginPx;
  const sizes: number[] = [];
  for (let i = 0; i < dets.scores.length; i++) {
    if (dets.classIds[i] !== rbc || dets.scores[i] < cfg.minScore) continue;
    const x1 = dets.boxes[i * 4];
    const y1 = dets.boxes[i * 4 + 1];
    const x2 = dets.boxes[i * 4 + 2];
    const y2 = dets.boxes[i * 4 + 3];
    if (x1 <= m || y1 <= m || x2 >= dets.imageWidth - m || y2 >= dets.imageHeight - m) continue;
    if (x2 > x1 && y2 > y1) sizes.push(Math.sqrt((x2 - x1) * (y2 - y1)));
  }
  return sizes.length < cfg.minRbc ? null : { diameterPx: median(sizes), count: sizes.length };
}

/**
 * The measured red cell against the one the frame was resampled for:
 * - 'agrees': within `tolerance` (the frame was seen at the training scale, near enough);
 * - 'rescale': further off, but within `maxRatio` (the model was trained over x0.5-x2, so its
 *   boxes are still to be believed): resample to the measured size;
 * - 'untrusted': further off than the model has seen; keep the calibration core's estimate.
 */
export function rulerDisagreement(measuredPx: number, usedPx: number, cfg: Pick<RulerConfig, 'tolerance' | 'maxRatio'>): 'agrees' | 'rescale' | 'untrusted' {
  const r = Math.abs(Math.log(measuredPx / usedPx));
  if (!Number.isFinite(r)) return 'untrusted';
  if (r <= Math.log(1 + cfg.tolerance)) return 'agrees';
  return r <= Math.log(cfg.maxRatio) ? 'rescale' : 'untrusted';
}

/** The last `window` measures of a live source, as one running median (frame px). */
export class RulerWindow {
  readonly #window: number;
  #measures: RulerMeasure[] = [];

  constructor(window: number) {
    this.#window = Math.max(1, window);
  }

  push(m: RulerMeasure): void {
    this.#measures.push(m);
    if (this.#measures.length > this.#window) this.#measures.shift();
  }

  get size(): number {
    return this.#measures.length;
  }

  /** Median diameter over the window and the red cells behind it; null when empty. */
  get current(): RulerMeasure | null {
    if (this.#measures.length === 0) return null;
    return { diameterPx: median(this.#measures.map((m) => m.diameterPx)), count: this.#measures.reduce((s, m) => s + m.count, 0) };
  }

  clear(): void {
    this.#measures = [];
  }
}
