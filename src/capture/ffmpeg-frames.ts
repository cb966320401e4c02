import type { ChildProcess } from 'node:child_process';
import type { PassThrough } from 'node:stream';
import ffmpeg from 'fluent-ffmpeg';
import { Observable } from 'rxjs';
import type { Frame } from '../core/frame.js';
import type { CaptureConfig } from './config.js';
import { CaptureError, explainFfmpegFailure } from './errors.js';
import { buildFfmpegInvocation } from './ffmpeg-args.js';
import { resolveFfmpeg } from './ffmpeg-binary.js';
import { FrameAssembler } from './frame-assembler.js';
import type { SourceSpec } from './source-uri.js';

export interface FfmpegFramesOptions {
  readonly config: CaptureConfig;
  /** Sequence number for the first frame of this attempt. */
  readonly firstSeq: number;
  readonly now: () => number;
  /** Called with the child process once it runs (tests use the pid). */
  readonly onSpawn?: (child: ChildProcess) => void;
  /** Each stderr line as it comes (the CaptureError keeps only the last `stderrLines`). */
  readonly onStderr?: (line: string) => void;
}

/** Child processes spawned here and not yet exited: teardown must leave none behind. */
const running = new Map<number, Promise<void>>();

/** Number of ffmpeg children still alive. */
export function runningFfmpegCount(): number {
  return running.size;
}

/** Resolves when every ffmpeg child spawned by capture has exited. */
export async function ffmpegChildrenExited(): Promise<void> {
  while (running.size > 0) await Promise.all([...running.values()]);
}

function track(child: ChildProcess): void {
  const pid = child.pid;
  if (pid === undefined) return;
  if (child.exitCode !== null || child.signalCode !== null) return;
  running.set(
    pid,
    new Promise<void>((resolve) =>
      child.once('exit', () => {
        running.delete(pid);
        resolve();
      }),
    ),
  );
}

/** SIGTERM, then SIGKILL if the child has not exited after `timeoutMs`. */
export function terminate(child: ChildProcess, timeoutMs: number): void {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const timer = setTimeout(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }, timeoutMs);
  child.once('exit', () => clearTimeout(timer));
  child.kill('SIGTERM');
}

/**
 * One ffmpeg run as an Observable of frames (the I/O edge of capture).
 * Completes when ffmpeg ends cleanly, errors with a CaptureError naming the source
 * otherwise, and its teardown ends ffmpeg (SIGTERM, then SIGKILL after a timeout).
 */
export function ffmpegFrames(spec: SourceSpec, options: FfmpegFramesOptions): Observable<Frame> {
  return new Observable<Frame>((subscriber) => {
    const { config } = options;
    const inv = buildFfmpegInvocation(spec, config);
    const assembler = new FrameAssembler({ width: config.width, height: config.height, firstSeq: options.firstSeq, now: options.now });
    const stderr: string[] = [];
    let child: ChildProcess | undefined;
    let finished = false;

    const command = ffmpeg({ stdoutLines: 0 })
      .setFfmpegPath(resolveFfmpeg().path)
      .input(inv.input)
      .inputOptions(...inv.inputOptions)
      .outputOptions(...inv.outputOptions);

    command.on('start', () => {
      child = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      if (child) {
        track(child);
        options.onSpawn?.(child);
      }
    });
    command.on('stderr', (line: string) => {
      stderr.push(line);
      if (stderr.length > config.stderrLines) stderr.shift();
      options.onStderr?.(line);
    });
    command.on('error', (err: Error) => {
      if (finished) return;
      finished = true;
      if (/ENOENT|Cannot find ffmpeg/.test(err.message) && stderr.length === 0) {
        subscriber.error(new CaptureError(spec.uri, `cannot run ffmpeg: ${err.message}`, [], true));
        return;
      }
      const exit = /exited with code (\d+)/.exec(err.message)?.[0] ?? /signal \w+/.exec(err.message)?.[0] ?? err.message;
      subscriber.error(explainFfmpegFailure(spec, stderr, exit));
    });
    command.on('end', () => {
      if (finished) return;
      finished = true;
      subscriber.complete();
    });

    const out = command.pipe() as PassThrough;
    out.on('data', (chunk: Buffer) => {
      if (finished) return;
      for (const frame of assembler.push(chunk)) subscriber.next(frame);
    });
    out.on('error', () => {
      /* reported through the command's 'error' */
    });

    return () => {
      finished = true;
      out.removeAllListeners('data');
      out.resume();
      const proc = child ?? (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
      if (proc) {
        terminate(proc, config.killTimeoutMs);
      } else {
        // Not spawned yet: kill as soon as it starts.
        command.once('start', () => {
          const p = (command as unknown as { ffmpegProc?: ChildProcess }).ffmpegProc;
          if (p) terminate(p, config.killTimeoutMs);
        });
      }
    };
  });
}
