/**
 * `--calibration auto|off`, `--profile FILE` and `--um-per-px X`, shared by detect, eval, count,
 * run and serve, and the one place that turns them into a CalibratedDetector around the
 * command's OnnxDetector.
 */
import { access } from 'node:fs/promises';
import { InvalidArgumentError, Option } from 'commander';
import { CalibratedDetector } from '../detect/calibrated-detector.js';
import { type CalibrationModeName, type DetectorCalibration, type FrameCalibrator, scaleFromUmPerPx } from '../detect/calibration-state.js';
import type { Detector } from '../detect/detector.js';
import { applyColourTransform } from '../calibration/apply-colour.js';
import { ProfileError as CoreProfileError, readDeviceProfile } from '../calibration/profile-file.js';
import type { DeviceProfile } from '../calibration/types.js';
import type { ModelCard } from '../core/model-card.js';
import { AutoCalibrator, colourReferenceOf } from '../detect/auto-calibrator.js';
import { WorkerCalibrator } from '../detect/worker-calibrator.js';
import { EXIT } from './exit-codes.js';

export const CALIBRATION_MODES = ['auto', 'off'] as const;

export interface CalibrationFlags {
  calibration?: 'auto' | 'off';
  profile?: string;
  umPerPx?: number;
}

export function parseUmPerPx(v: string): number {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0 || n > 100) throw new InvalidArgumentError('must be a positive number of micrometres per pixel, e.g. 0.073');
  return n;
}

/** The three options, for commands built with commander's typed parsers (detect, eval, count). */
export function calibrationOptions(): Option[] {
  return [
    new Option('--calibration <mode>', "auto: measure scale, field of view and colour from the slide (image by image for files, over the first frames for live sources); off: today's fixed BCCD-scale pipeline")
      .choices([...CALIBRATION_MODES])
      .default('auto'),
    new Option('--profile <file>', 'device profile written by `leukoscan calibrate --out` (fixed scale, field, colour); wins over --calibration auto'),
    new Option('--um-per-px <x>', 'override the scale: micrometres per frame pixel (red cells are 7.5 µm)').argParser(parseUmPerPx),
  ];
}

/** A bad or missing profile (the core's ProfileError names the file), with the exit code the command returns. */
export class ProfileError extends Error {
  constructor(
    readonly file: string,
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'ProfileError';
  }
}

/** Reads a device profile (src/calibration/profile-file.ts). Missing: exit 66; unreadable or invalid: exit 2. */
export async function readProfile(file: string): Promise<DeviceProfile> {
  const missing = await access(file).then(
    () => false,
    (err: NodeJS.ErrnoException) => err.code === 'ENOENT',
  );
  try {
    return await readDeviceProfile(file);
  } catch (err) {
    if (!(err instanceof CoreProfileError)) throw err;
    throw new ProfileError(file, err.message, missing ? EXIT.NO_INPUT : EXIT.USAGE);
  }
}

/**
 * `--profile`, read before anything starts: the profile (undefined without the flag), or, after
 * `say` has named the file and the problem, the exit code the command returns.
 */
export async function preflightProfile(flags: CalibrationFlags, say: (line: string) => void): Promise<{ readonly profile: DeviceProfile | undefined } | { readonly exitCode: number }> {
  if (flags.profile === undefined) return { profile: undefined };
  try {
    return { profile: await readProfile(flags.profile) };
  } catch (err) {
    say((err as Error).message);
    return { exitCode: err instanceof ProfileError ? err.exitCode : EXIT.FAILURE };
  }
}

export interface CalibratedDetectorChoice {
  /** Image by image (`detect`, `eval`) or over the frames of one source (live, `count`). */
  readonly perImage: boolean;
  /** Builds the calibration source for 'auto'; default: the core's Calibrator with the card's colour reference (src/detect/auto-calibrator.ts). */
  readonly autoCalibrator?: (card: ModelCard) => FrameCalibrator;
  /**
   * Apply the calibration's colour transform before detecting (default true). False where the
   * pipeline's colour stage applies it (src/pipeline/operators/normalise-colour.ts).
   */
  readonly applyColour?: boolean;
  /** The source, for the profile the calibrator composes (credentials redacted by the caller). */
  readonly camera?: string;
  /** 'auto' on a live source: the calibrator sees every Nth analysed frame. */
  readonly observeEvery?: number;
}

/** The flags -> the mode name and, for a profile, the profile (reads the file: may throw ProfileError). */
export async function resolveCalibration(flags: CalibrationFlags): Promise<{ mode: CalibrationModeName; profile?: DeviceProfile }> {
  if (flags.profile !== undefined) return { mode: 'profile', profile: await readProfile(flags.profile) };
  return { mode: flags.calibration ?? 'auto' };
}

/**
 * A live source (run, count, serve): the calibrator is shown the captured frames by the live
 * pipeline (`detector.liveCalibration`) and the colour stage applies its transform, so the
 * detector itself neither observes nor applies colour.
 */
export const LIVE_SOURCE: CalibratedDetectorChoice = { perImage: false, observeEvery: 0, applyColour: false };

/** Images: the core's Calibrator in this thread, one image at a time; live: in a worker, never blocking the event loop. */
function defaultCalibrator(choice: CalibratedDetectorChoice): (card: ModelCard) => FrameCalibrator {
  return (card) =>
    choice.perImage
      ? new AutoCalibrator({ reference: colourReferenceOf(card), perImage: true })
      : new WorkerCalibrator({ camera: choice.camera ?? 'live', reference: colourReferenceOf(card) });
}

/** Wraps `inner` as the flags say. `off` without --um-per-px is `inner` as it is today. */
export async function calibratedDetector(inner: Detector, flags: CalibrationFlags, choice: CalibratedDetectorChoice): Promise<CalibratedDetector> {
  const { mode, profile } = await resolveCalibration(flags);
  return new CalibratedDetector({
    inner,
    mode,
    profile,
    profilePath: flags.profile,
    umPerPx: flags.umPerPx,
    calibrator: mode === 'auto' ? (choice.autoCalibrator ?? defaultCalibrator(choice))(inner.card) : undefined,
    ...(choice.applyColour === false ? {} : { applyColour: (img, t) => ({ width: img.width, height: img.height, rgb: applyColourTransform(img.rgb, t) }) }),
    perImage: choice.perImage,
    observeEvery: choice.observeEvery,
  });
}

/** The red-cell diameter known before any frame (--um-per-px, else the profile's), or undefined. */
export function fixedRbcDiameterPx(flags: CalibrationFlags, profileRbcDiameterPx?: number): number | undefined {
  return flags.umPerPx !== undefined ? scaleFromUmPerPx(flags.umPerPx).rbcDiameterPx : profileRbcDiameterPx;
}

/** One line for the log: how the frames are calibrated. */
export function describeCalibration(c: DetectorCalibration, flags: CalibrationFlags): string {
  if (c.mode === 'off') return "calibration off (today's BCCD-scale pipeline)";
  const scale = c.scaleOverridden ? `scale ${c.scale!.umPerPx.toFixed(4)} µm/px (--um-per-px)` : c.mode === 'profile' ? `scale ${c.scale!.umPerPx.toFixed(4)} µm/px` : 'scale measured from the red cells';
  return `calibration ${c.mode === 'profile' ? `profile ${flags.profile}` : 'auto'}: ${scale}`;
}
