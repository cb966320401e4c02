/**
 * Was a video file read whole? The container's own frame count (ffprobe, where the file states
 * it) against the frames decoded, plus the decoder's error lines: a file cut short is read to
 * where it breaks and ffmpeg still exits 0, so neither alone tells.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { resolveFfmpeg } from './ffmpeg-binary.js';

const run = promisify(execFile);

/** Decoder error lines kept for the report. */
export const MAX_DECODER_ERRORS_KEPT = 5;

export interface ReadCompleteness {
  readonly framesRead: number;
  /**
   * What the container says it holds, or null when it does not say (or ffprobe is missing). Where
   * the frames were resampled (`resampledFps`): the container's duration at that rate.
   */
  readonly containerFrames: number | null;
  /**
   * `--realtime`: ffmpeg resampled the video to this rate, so frames read follow the time decoded,
   * not the container's frames; up to one second short still counts as whole.
   */
  readonly resampledFps?: number;
  /** Lines ffmpeg wrote at log level error while decoding (the first few) and how many there were. */
  readonly decoderErrors: readonly string[];
  readonly decoderErrorCount: number;
}

export interface CompletenessVerdict {
  /** False when the source ended early: fewer frames than the container holds, or decoder errors. */
  readonly complete: boolean;
  /** One line for the user, or null when complete. */
  readonly warning: string | null;
}

/** Pure: did the read reach the end of the video? */
export function judgeCompleteness(r: ReadCompleteness): CompletenessVerdict {
  const short = r.containerFrames !== null && r.framesRead < r.containerFrames - (r.resampledFps ?? 0);
  if (!short && r.decoderErrorCount === 0) return { complete: true, warning: null };
  const rate = r.resampledFps === undefined ? '' : ` at ${r.resampledFps} fps`;
  const frames = r.containerFrames === null ? `read ${r.framesRead} frames${rate} (the container does not say how many it holds)` : `read ${r.framesRead} of ${r.containerFrames} frames${rate}`;
  const errors = r.decoderErrorCount === 0 ? 'no decoder errors' : `${r.decoderErrorCount} decoder error${r.decoderErrorCount === 1 ? '' : 's'}, the first: ${r.decoderErrors[0]}`;
  return { complete: false, warning: `the video ended early: ${frames}; ${errors}` };
}

/** Frames the file's first video stream says it holds (nb_frames), or null if unknown. */
export async function containerFrameCount(file: string): Promise<number | null> {
  const n = Number((await probe(file, ['-select_streams', 'v:0', '-show_entries', 'stream=nb_frames']))?.streams?.[0]?.nb_frames);
  return Number.isInteger(n) && n > 0 ? n : null;
}

/**
 * Frames the file holds once resampled to `fps` (as `--realtime` reads it): its container
 * duration at that rate, or null if the container does not say.
 */
export async function containerFramesAtRate(file: string, fps: number): Promise<number | null> {
  const seconds = Number((await probe(file, ['-show_entries', 'format=duration']))?.format?.duration);
  return seconds > 0 ? Math.round(seconds * fps) : null;
}

/** ffprobe's JSON for `entries`, or null when ffprobe fails. */
async function probe(file: string, entries: readonly string[]): Promise<{ streams?: { nb_frames?: string }[]; format?: { duration?: string } } | null> {
  try {
    const { stdout } = await run(ffprobePath(), ['-v', 'error', ...entries, '-of', 'json', file], { timeout: 30_000 });
    return JSON.parse(stdout);
  } catch {
    return null;
  }
}

/** ffprobe beside the ffmpeg in use, else the one on PATH. */
function ffprobePath(): string {
  const beside = join(dirname(resolveFfmpeg().path), 'ffprobe');
  try {
    accessSync(beside, constants.X_OK);
    return beside;
  } catch {
    return 'ffprobe';
  }
}

/** Collects decoder error lines (the first few) and counts them all. */
export class DecoderErrors {
  private readonly kept: string[] = [];
  private count = 0;

  readonly add = (line: string): void => {
    const text = line.trim();
    if (text.length === 0) return;
    this.count++;
    if (this.kept.length < MAX_DECODER_ERRORS_KEPT) this.kept.push(text);
  };

  get lines(): readonly string[] {
    return this.kept;
  }

  get total(): number {
    return this.count;
  }
}
