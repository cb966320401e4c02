/**
 * Frames for `leukoscan calibrate`: the first N frames of an image file, a directory of images
 * (one frame each, in name order), a video file, or a live source (rtsp://, v4l2://, test:).
 * I/O edge.
 */
import { existsSync, statSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { firstValueFrom, filter, map, take, toArray } from 'rxjs';
import { capture } from '../capture/capture.js';
import type { SourceSpec } from '../capture/source-uri.js';
import type { Frame } from '../core/frame.js';
import { decodeImage, isImageFile } from '../detect/image-decode.js';
import { readVideoFrames } from '../sim/video-io.js';

export class MissingInputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MissingInputError';
  }
}

export interface ReadFramesOptions {
  readonly frames: number;
  /** Size video and live frames are scaled to (images keep their own). */
  readonly size: { readonly width: number; readonly height: number };
  readonly fps: number;
}

export async function readCalibrationFrames(spec: SourceSpec, opts: ReadFramesOptions): Promise<Frame[]> {
  if (spec.kind === 'file') {
    if (!existsSync(spec.path)) throw new MissingInputError(`source ${spec.path} not found`);
    if (statSync(spec.path).isDirectory()) {
      const names = (await readdir(spec.path)).filter(isImageFile).sort().slice(0, opts.frames);
      if (names.length === 0) throw new MissingInputError(`no images in ${spec.path}`);
      return Promise.all(names.map((n, i) => decodeImage(join(spec.path, n), join(spec.path, n), i)));
    }
    if (isImageFile(spec.path)) return [await decodeImage(spec.path, spec.path, 0)];
    const out: Frame[] = [];
    for await (const f of readVideoFrames(spec.path, { width: opts.size.width, height: opts.size.height, startMs: 0, fps: opts.fps })) {
      out.push(f);
      if (out.length >= opts.frames) break;
    }
    return out;
  }
  return firstValueFrom(
    capture(spec, { width: opts.size.width, height: opts.size.height, fps: opts.fps }).pipe(
      filter((e) => e.kind === 'frame'),
      map((e) => (e as { kind: 'frame'; frame: Frame }).frame),
      take(opts.frames),
      toArray(),
    ),
  );
}

/** rtsp://user:secret@host/… -> rtsp://user:***@host/… (the profile names its camera). */
export function redactSourceUri(uri: string): string {
  return uri.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
