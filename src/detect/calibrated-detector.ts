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
import type { ColourTransform, DeviceProfile, ScaleEstimate, TrainingScale } from '../pipeline/calibration/types.js';
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
import { TILING_DEFAULTS, type TilingConfig } from './tiling/config.js';
import { mergeTileDetections } from './tiling/merge.js';
import { type TilePlan, planTiles } from './tiling/plan.js';
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
  #plan: TilePlan | null = null;
  #planKey = '';

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
    this.#frames = 0;
  }

  async detect(frame: Frame): Promise<DetectionsXyxyPixels> {
    if (this.#opts.mode === 'off' && this.#override === null) return this.#inner.detect(frame);
    this.#checkFrameSize(frame);
    this.#observe(frame);
    const reading = this.#reading();
    const img = reading.colour !== null && this.#opts.applyColour ? this.#opts.applyColour(frame, reading.colour) : frame;
    const plan = this.#planFor(frame, reading.scale);
    this.#plan = plan;
    const full = reading.field.kind === 'full';
    if (plan.mode === 'stretch' && full) {
      return img === frame ? this.#inner.detect(frame) : this.#inner.detect({ ...frame, rgb: img.rgb });
    }
    const background = this.card.colourReference.backgroundRgb;
    const perTile: DetectionsXyxyPixels[] = [];
    for (const tile of plan.tiles) {
      const t = renderTile(img, tile, background, reading.field);
      perTile.push(await this.#inner.detect({ seq: frame.seq, timestampMs: frame.timestampMs, width: t.width, height: t.height, rgb: t.rgb }));
    }
    return mergeTileDetections(plan, perTile, { frame, classNames: this.card.classes, nms: this.#nms, mask: reading.field });
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
    if (this.#override === null) return base;
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
    if (o.perImage) o.calibrator!.reset();
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

  #planFor(frame: Frame, scale: ScaleEstimate | null): TilePlan {
    const minConfidence = this.#opts.tiling?.minScaleConfidence ?? TILING_DEFAULTS.minScaleConfidence;
    const d = scale !== null && scale.confidence >= minConfidence ? scale.rbcDiameterPx : null;
    const key = `${frame.width}x${frame.height}@${d}`;
    if (this.#plan !== null && this.#planKey === key) return this.#plan; // the scale is held between refinements
    this.#planKey = key;
    return planTiles({ frame, input: this.card.input, trainingRbcDiameterPx: this.trainingScale.rbcDiameterPx, rbcDiameterPx: d }, this.#opts.tiling);
  }

}
