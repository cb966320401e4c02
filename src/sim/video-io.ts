import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { resolveFfmpeg } from '../capture/ffmpeg-binary.js';
import { FrameAssembler } from '../capture/frame-assembler.js';
import type { Frame } from '../core/frame.js';

/** ffmpeg stderr lines kept to explain a failure. */
const STDERR_LINES = 8;
/** Teardown: SIGTERM, then SIGKILL after this long. */
const KILL_TIMEOUT_MS = 2_000;

export interface VideoWriterOptions {
  file: string;
  width: number;
  height: number;
  fps: number;
  /** x264 constant rate factor (lower = better). */
  crf?: number;
}

export const VIDEO_WRITER_DEFAULTS = { crf: 18 } as const;

export class VideoIoError extends Error {
  constructor(
    readonly file: string,
    detail: string,
  ) {
    super(`Video ${file}: ${detail}`);
    this.name = 'VideoIoError';
  }
}

function stderrTail(child: ChildProcess, onLine?: (line: string) => void): () => string {
  const lines: string[] = [];
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (s: string) => {
    const added = s.split('\n').filter(Boolean);
    if (onLine) for (const line of added) onLine(line);
    lines.push(...added);
    if (lines.length > STDERR_LINES) lines.splice(0, lines.length - STDERR_LINES);
  });
  return () => lines.join(' | ');
}

function terminate(child: ChildProcess): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_TIMEOUT_MS);
  child.once('exit', () => clearTimeout(timer));
  child.kill('SIGTERM');
}

/**
 * Encodes raw RGB24 frames to H.264 through ffmpeg's stdin. `write` waits for
 * the pipe to drain (backpressure); `close` waits for ffmpeg to finish; `abort`
 * ends ffmpeg. The writer owns the ffmpeg process.
 */
export class VideoWriter {
  private readonly child: ChildProcess;
  private readonly tail: () => string;
  private readonly exited: Promise<number | null>;
  private failed: Error | null = null;

  constructor(private readonly options: VideoWriterOptions) {
    const { file, width, height, fps } = options;
    const crf = options.crf ?? VIDEO_WRITER_DEFAULTS.crf;
    this.child = spawn(
      resolveFfmpeg().path,
      ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${width}x${height}`, '-r', String(fps), '-i', 'pipe:0',
        '-c:v', 'libx264', '-preset', 'veryfast', '-crf', String(crf), '-pix_fmt', 'yuv420p', file],
      { stdio: ['pipe', 'ignore', 'pipe'] },
    );
    this.tail = stderrTail(this.child);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.failed = new VideoIoError(file, `ffmpeg could not start (${err.message})`);
        resolve(null);
      });
      this.child.once('exit', (code) => resolve(code));
    });
    this.child.stdin!.on('error', () => {
      /* reported by the exit code */
    });
  }

  async write(frame: Frame): Promise<void> {
    if (this.failed) throw this.failed;
    if (frame.width !== this.options.width || frame.height !== this.options.height) {
      throw new VideoIoError(this.options.file, `frame ${frame.seq} is ${frame.width}x${frame.height}, expected ${this.options.width}x${this.options.height}`);
    }
    const stdin = this.child.stdin!;
    if (!stdin.write(frame.rgb)) {
      await Promise.race([once(stdin, 'drain'), this.exited.then(() => undefined)]);
    }
    if (this.child.exitCode !== null) throw new VideoIoError(this.options.file, `ffmpeg exited early (${this.tail()})`);
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    const code = await this.exited;
    if (this.failed) throw this.failed;
    if (code !== 0) throw new VideoIoError(this.options.file, `ffmpeg failed with code ${code} (${this.tail()})`);
  }

  abort(): void {
    terminate(this.child);
  }
}

export interface ReadVideoOptions {
  width: number;
  height: number;
  /** Timestamp of frame 0 and frame interval; the file's own timing is not used. */
  startMs: number;
  fps: number;
  /** Every line ffmpeg writes while decoding (log level error: decoder errors, e.g. of a file cut short). */
  onStderr?: (line: string) => void;
}

/**
 * Decodes a finite video file to RGB24 frames, pulled one at a time: ffmpeg's
 * stdout is only read as fast as the consumer asks (backpressure), so every
 * frame can be processed without dropping and without buffering the file.
 * Returning early from the iteration ends ffmpeg.
 */
export async function* readVideoFrames(file: string, options: ReadVideoOptions): AsyncGenerator<Frame> {
  const child = spawn(
    resolveFfmpeg().path,
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-i', file, '-f', 'rawvideo', '-pix_fmt', 'rgb24', '-s', `${options.width}x${options.height}`, '-fps_mode', 'passthrough', 'pipe:1'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const tail = stderrTail(child, options.onStderr);
  let spawnError: Error | null = null;
  child.once('error', (err) => (spawnError = err));
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const assembler = new FrameAssembler({ width: options.width, height: options.height, now: () => 0 });
  let done = false;
  try {
    for await (const chunk of child.stdout!) {
      for (const f of assembler.push(chunk as Buffer)) {
        yield { ...f, timestampMs: options.startMs + Math.round((f.seq * 1000) / options.fps) };
      }
    }
    const code = await exited;
    done = true;
    if (spawnError) throw new VideoIoError(file, `ffmpeg could not start (${(spawnError as Error).message})`);
    if (code !== 0) throw new VideoIoError(file, `cannot be decoded (ffmpeg code ${code}: ${tail()})`);
    if (assembler.partialBytes > 0) throw new VideoIoError(file, `ends with a truncated frame (${assembler.partialBytes} bytes)`);
  } finally {
    if (!done) terminate(child);
  }
}
