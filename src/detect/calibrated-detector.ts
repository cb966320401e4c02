/**
 * A Detector that meets each camera where it is: it maps every frame to the model's training
 * scale (src/detect/tiling: shrink and pad, or enlarge and tile), runs the inner detector per tile
 * (sequentially: the ONNX graph has a fixed batch of 1), merges the tiles' detections and returns
 * them in the original frame's pixels. The typer runs inside the inner detector on each tile, so
 * its crops are cut at the calibrated scale.
 *
 *   const d = new CalibratedDetector({ inner, mode: 'auto', calibrator });
 *   const det = await d.detect(frame);   // boxes in frame px
 *   d.calibration;                       // scale, field, colour, tiles per frame, status
 *
 * 'off' is today's detector exactly, unless a scale is given (`--calibration off --um-per-px X`:
 * resampled to that scale, with no field mask and no colour).
 */
import type { DetectionsXyxyPixels } from '../core/detections.js';
import type { Frame } from '../core/frame.js';
import type { ModelCard } from '../core/model-card.js';
import type { ColourTransform, DeviceProfile, ScaleEstimate, TrainingScale } from '../calibration/types.js';
import {
  type CalibrationModeName,
  type CalibrationReading,
  type DetectorCalibration,
  type FrameCalibrator,
  scaleFromUmPerPx,
  trainingScaleOf,
} from './calibration-state.js';
import type { Detector } from './detector.js';
import { nmsFromCard } from './nms.js';
import type { RgbImage } from './preprocess.js';
import { RULER_DEFAULTS, type RulerConfig, TILING_DEFAULTS, type TilingConfig } from './tiling/config.js';
import { mergeTileDetections } from './tiling/merge.js';
import { type TilePlan, planTiles } from './tiling/plan.js';
import { type RulerMeasure, RulerWindow, measureRbcDiameter, rulerDisagreement } from './tiling/rbc-ruler.js';
import { RBC_DIAMETER_UM } from '../calibration/types.js';
import { renderTile } from './tiling/tile-image.js';

export interface CalibratedDetectorOptions {
  readonly inner: Detector;
  readonly mode: CalibrationModeName;
  /** 'auto': the calibration core's Calibrator (required). */
  readonly calibrator?: FrameCalibrator;
  /** 'profile': the device profile (required), and its file for messages. */
  readonly profile?: DeviceProfile;
  readonly profilePath?: string;
  /** Overrides the scale of 'auto' or 'profile' (`--um-per-px X`). */
  readonly umPerPx?: number;
  /**
   * Applies a colour transform to a frame (the calibration core's applyColourTransform). Absent:
   * colour is left to the pipeline's colour stage (src/pipeline/operators/normalise-colour.ts).
   */
  readonly applyColour?: (img: RgbImage, t: ColourTransform) => RgbImage;
  /**
   * 'auto': the calibrator sees every `observeEvery`-th detected frame (default 1); 0: never here,
   * the live pipeline shows it the captured frames instead (`liveCalibration`).
   */
  readonly observeEvery?: number;
  /** 'auto': forget the calibration before each frame (`detect`: image by image). */
  readonly perImage?: boolean;
  /** Defaults: the card's trainingScale (src/detect/calibration-state.ts). */
  readonly trainingScale?: TrainingScale;
  readonly tiling?: Partial<TilingConfig>;
  /**
   * 'auto' only: the detected red cells correct the scale (src/detect/tiling/rbc-ruler.ts). Per
   * image, a frame whose red cells come out off the training scale is detected again at the
   * measured one; live, the running median of the measures takes over from the core's estimate.
   * `false` turns it off (the calibration core's estimate alone).
   */
  readonly ruler?: Partial<RulerConfig> | false;
}

const OFF_READING: CalibrationReading = { status: 'off', scale: null, field: { kind: 'full' }, colour: null, message: null };

export class CalibratedDetector implements Detector {
  readonly card: ModelCard;
  readonly provider: Detector['provider'];
  readonly trainingScale: TrainingScale;
  readonly #inner: Detector;
  readonly #opts: CalibratedDetectorOptions;
  readonly #override: ScaleEstimate | null;
  readonly #nms: ReturnType<typeof nmsFromCard>;
  #frames = 0;
  /** The last plan used (for `calibration`). */
  #plan: TilePlan | null = null;
  /** The last plan made, by key: the scale is held between refinements, so most frames reuse it. */
  #planCache: { readonly key: string; readonly plan: TilePlan } | null = null;
  readonly #ruler: RulerConfig | null;
  readonly #rulerWindow: RulerWindow;
  /** Per image: the last image's measure (its scale is reported). */
  #imageMeasure: RulerMeasure | null = null;

  constructor(options: CalibratedDetectorOptions) {
    if (options.mode === 'auto' && options.calibrator === undefined) throw new Error("calibration 'auto' needs a calibrator");
    if (options.mode === 'profile' && options.profile === undefined) throw new Error("calibration 'profile' needs a profile");
    this.#inner = options.inner;
    this.#opts = options;
    this.card = options.inner.card;
    this.provider = options.inner.provider;
    this.trainingScale = options.trainingScale ?? trainingScaleOf(this.card);
    this.#override = options.umPerPx === undefined ? null : scaleFromUmPerPx(options.umPerPx);
    this.#nms = nmsFromCard(this.card);
    this.#ruler = options.mode === 'auto' && options.ruler !== false && this.#override === null ? { ...RULER_DEFAULTS, ...(options.ruler ?? {}) } : null;
    this.#rulerWindow = new RulerWindow(this.#ruler?.window ?? 1);
  }

  /** The calibration now: scale, field, colour, status, and the last frame's tile plan. */
  get calibration(): DetectorCalibration {
    const p = this.#plan;
    return {
      ...this.#reading(),
      mode: this.#opts.mode,
      scaleOverridden: this.#override !== null,
      plan: p === null ? null : { mode: p.mode, tiles: p.tiles.length, cols: p.cols, rows: p.rows, factor: p.factor },
    };
  }

  /** Starts calibration again from the next frame (auto mode; a no-op otherwise). */
  recalibrate(): void {
    this.#opts.calibrator?.reset();
    this.#rulerWindow.clear();
    this.#imageMeasure = null;
    this.#frames = 0;
  }

  async detect(frame: Frame): Promise<DetectionsXyxyPixels> {
    if (this.#opts.mode === 'off' && this.#override === null) return this.#inner.detect(frame);
    this.#checkFrameSize(frame);
    this.#observe(frame);
    const reading = this.#reading();
    const img = reading.colour !== null && this.#opts.applyColour ? this.#opts.applyColour(frame, reading.colour) : frame;
    const first = this.#planFor(frame, reading.scale);
    let plan = first.plan;
    let out = await this.#detectPlan(frame, img, plan, reading.field);
    this.#plan = plan;
    const ruler = this.#ruler;
    if (ruler === null) return out;
    let measure = measureRbcDiameter(out, ruler);
    if (!this.#opts.perImage) {
      if (measure !== null && rulerDisagreement(measure.diameterPx, this.#usedDiameter(plan), ruler) !== 'untrusted') this.#rulerWindow.push(measure);
      return out;
    }
    const tried = new Set([first.key]);
    // per image, no red cells to measure: try the core's estimate even where it was too unsure to
    // plan with, and keep that pass only if the red cells found there confirm the scale
    if (measure === null && reading.scale !== null) {
      const hypo = this.#planFor(frame, { ...reading.scale, confidence: 1 });
      if (!tried.has(hypo.key)) {
        tried.add(hypo.key);
        const o = await this.#detectPlan(frame, img, hypo.plan, reading.field);
        const m = measureRbcDiameter(o, ruler);
        if (m !== null && rulerDisagreement(m.diameterPx, this.#usedDiameter(hypo.plan), ruler) !== 'untrusted') {
          plan = hypo.plan;
          out = o;
          measure = m;
        }
      }
    }
    // per image: detect again at the measured scale while the red cells disagree with the plan
    for (let pass = 0; pass < ruler.maxPasses && measure !== null; pass++) {
      if (rulerDisagreement(measure.diameterPx, this.#usedDiameter(plan), ruler) !== 'rescale') break;
      const next = this.#planFor(frame, rulerScale(measure));
      if (tried.has(next.key)) break;
      tried.add(next.key);
      const again = await this.#detectPlan(frame, img, next.plan, reading.field);
      const m = measureRbcDiameter(again, ruler);
      plan = next.plan;
      out = again;
      measure = m ?? measure;
      if (m === null) break;
    }
    this.#plan = plan;
    this.#imageMeasure = measure;
    return out;
  }

  /** One plan through the inner detector: the stretched frame as today, or tiles merged back to frame px. */
  async #detectPlan(frame: Frame, img: RgbImage, plan: TilePlan, field: CalibrationReading['field']): Promise<DetectionsXyxyPixels> {
    if (plan.mode === 'stretch' && field.kind === 'full') {
      return img === frame ? this.#inner.detect(frame) : this.#inner.detect({ ...frame, rgb: img.rgb });
    }
    const background = this.card.colourReference.backgroundRgb;
    const perTile: DetectionsXyxyPixels[] = [];
    for (const tile of plan.tiles) {
      const t = renderTile(img, tile, background, field);
      perTile.push(await this.#inner.detect({ seq: frame.seq, timestampMs: frame.timestampMs, width: t.width, height: t.height, rgb: t.rgb }));
    }
    return mergeTileDetections(plan, perTile, { frame, classNames: this.card.classes, nms: this.#nms, mask: field });
  }

  /** The red-cell diameter (frame px) a plan brings to the training scale: what the detector should measure. */
  #usedDiameter(plan: TilePlan): number {
    const f = plan.mode === 'stretch' ? Math.sqrt(plan.factor * (this.card.input.height / plan.tiles[0].canvas.height)) : plan.factor;
    return this.trainingScale.rbcDiameterPx / f;
  }

  /** Releases the inner detector and the calibrator (its worker, if any). */
  async release(): Promise<void> {
    await Promise.all([this.#inner.release(), this.#opts.calibrator?.release?.()]);
  }

  #reading(): CalibrationReading {
    const o = this.#opts;
    const base: CalibrationReading =
      o.mode === 'off'
        ? OFF_READING
        : o.mode === 'profile'
          ? { status: 'fixed', scale: o.profile!.scale, field: o.profile!.field, colour: o.profile!.colour, message: null }
          : o.calibrator!.current;
    if (this.#override === null) {
      const m = this.#ruler === null ? null : this.#opts.perImage ? this.#imageMeasure : this.#rulerWindow.size >= this.#ruler.minFrames ? this.#rulerWindow.current : null;
      return m === null ? base : { ...base, status: base.status === 'calibrating' ? 'calibrated' : base.status, scale: rulerScale(m) };
    }
    return { ...base, status: o.mode === 'auto' ? (base.status === 'calibrating' ? 'calibrated' : base.status) : 'fixed', scale: this.#override };
  }

  /**
   * For src/pipeline/live-pipeline.ts: the calibrator sees the captured frames before colour
   * correction, and the colour stage applies the calibration's transform (this detector then
   * applies none itself: build it without `applyColour`, with `observeEvery: 0`).
   */
  get liveCalibration(): { observe(frame: Frame): void; colour(): ColourTransform | null } {
    return {
      observe: (frame) => {
        if (this.#opts.mode === 'auto') this.#opts.calibrator!.observe(frame);
      },
      colour: () => this.#reading().colour,
    };
  }

  #observe(frame: Frame): void {
    const o = this.#opts;
    if (o.mode !== 'auto' || o.observeEvery === 0) return;
    if (o.perImage) {
      o.calibrator!.reset();
      this.#imageMeasure = null;
    }
    if (o.perImage || this.#frames % Math.max(1, o.observeEvery ?? 1) === 0) o.calibrator!.observe(frame);
    this.#frames++;
  }

  #checkFrameSize(frame: Frame): void {
    const p = this.#opts.profile;
    if (this.#opts.mode !== 'profile' || p === undefined) return;
    if (p.frameSize.width !== frame.width || p.frameSize.height !== frame.height) {
      const file = this.#opts.profilePath === undefined ? 'the profile' : `profile ${this.#opts.profilePath}`;
      throw new Error(`frame ${frame.width}x${frame.height} differs from the ${p.frameSize.width}x${p.frameSize.height} ${file} was measured at`);
    }
  }

  /** The plan for this frame at this scale, and its key (the same key: the same plan; kept between frames). */
  #planFor(frame: Frame, scale: ScaleEstimate | null): { plan: TilePlan; key: string } {
    const minConfidence = this.#opts.tiling?.minScaleConfidence ?? TILING_DEFAULTS.minScaleConfidence;
    const d = scale !== null && scale.confidence >= minConfidence ? scale.rbcDiameterPx : null;
    const key = `${frame.width}x${frame.height}@${d}`;
    if (this.#planCache?.key !== key) {
      this.#planCache = { key, plan: planTiles({ frame, input: this.card.input, trainingRbcDiameterPx: this.trainingScale.rbcDiameterPx, rbcDiameterPx: d }, this.#opts.tiling) };
    }
    return this.#planCache;
  }
}

/** A ruler measure as the scale the planner and the dashboard read. */
function rulerScale(m: RulerMeasure): ScaleEstimate {
  return { rbcDiameterPx: m.diameterPx, umPerPx: RBC_DIAMETER_UM / m.diameterPx, rbcCount: m.count, confidence: Math.min(1, 0.5 + m.count / 40), method: 'detector-rbc' };
}
