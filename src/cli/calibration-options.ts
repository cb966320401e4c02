/**
 * `--calibration auto|off`, `--profile FILE` and `--um-per-px X`, shared by detect, eval, count,
 * run and serve, and the one place that turns them into a CalibratedDetector around the
 * command's OnnxDetector.
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, Option } from 'commander';
import { CalibratedDetector } from '../detect/calibrated-detector.js';
import { type CalibrationModeName, type DetectorCalibration, type FrameCalibrator, scaleFromUmPerPx } from '../detect/calibration-state.js';
import type { Detector } from '../detect/detector.js';
import type { DeviceProfile } from '../pipeline/calibration/types.js';
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

/** A bad or missing profile, with the exit code the command should return. */
export class ProfileError extends Error {
  constructor(
    readonly file: string,
    detail: string,
    readonly exitCode: number,
  ) {
    super(`profile ${file}: ${detail}`);
    this.name = 'ProfileError';
  }
}

function isNumber(v: unknown): v is number {
  return typeof v === 'number' && Number.isFinite(v);
}

/** Structural check of a parsed profile; the first problem found, or null. */
export function profileProblem(p: unknown): string | null {
  if (typeof p !== 'object' || p === null) return 'not a JSON object';
  const o = p as Record<string, unknown>;
  if (o.version !== 1) return `unsupported version ${JSON.stringify(o.version)} (expected 1)`;
  const fs = o.frameSize as Record<string, unknown> | undefined;
  if (!fs || !isNumber(fs.width) || !isNumber(fs.height) || fs.width <= 0 || fs.height <= 0) return 'frameSize must be {width, height} in pixels';
  const s = o.scale as Record<string, unknown> | undefined;
  if (!s || !isNumber(s.rbcDiameterPx) || s.rbcDiameterPx <= 0 || !isNumber(s.umPerPx) || s.umPerPx <= 0) return 'scale must have positive rbcDiameterPx and umPerPx';
  const f = o.field as Record<string, unknown> | undefined;
  if (!f || !['full', 'circle', 'rect'].includes(String(f.kind))) return "field.kind must be 'full', 'circle' or 'rect'";
  const c = o.colour as Record<string, unknown> | undefined;
  if (!c || !Array.isArray(c.wbGains) || c.wbGains.length !== 3 || !c.wbGains.every(isNumber)) return 'colour.wbGains must be three numbers';
  return null;
}

/** Reads and checks a device profile. Missing: exit 66; unreadable or invalid: exit 2. */
export async function readProfile(file: string): Promise<DeviceProfile> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ProfileError(file, code === 'ENOENT' ? 'not found' : `cannot be read (${code ?? (err as Error).message})`, code === 'ENOENT' ? EXIT.NO_INPUT : EXIT.USAGE);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ProfileError(file, `not valid JSON (${(err as Error).message})`, EXIT.USAGE);
  }
  const problem = profileProblem(parsed);
  if (problem !== null) throw new ProfileError(file, `not a device profile: ${problem}`, EXIT.USAGE);
  return parsed as DeviceProfile;
}

export interface CalibratedDetectorChoice {
  /** Image by image (`detect`, `eval`) or over the frames of one source (live, `count`). */
  readonly perImage: boolean;
  /** Builds the calibration core's Calibrator for 'auto' (src/detect/auto-calibrator.ts). */
  readonly autoCalibrator: () => FrameCalibrator;
  /** 'auto' on a live source: the calibrator sees every Nth analysed frame. */
  readonly observeEvery?: number;
}

/** The flags -> the mode name and, for a profile, the profile (reads the file: may throw ProfileError). */
export async function resolveCalibration(flags: CalibrationFlags): Promise<{ mode: CalibrationModeName; profile?: DeviceProfile }> {
  if (flags.profile !== undefined) return { mode: 'profile', profile: await readProfile(flags.profile) };
  return { mode: flags.calibration ?? 'auto' };
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
    calibrator: mode === 'auto' ? choice.autoCalibrator() : undefined,
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
