/** Capture defaults in one place. Times in milliseconds unless the name says otherwise. */
export interface CaptureConfig {
  /** Output frame size after ffmpeg scales the source (the frame is stretched). */
  readonly width: number;
  readonly height: number;
  /** Output frame rate; ffmpeg drops or duplicates frames to reach it. */
  readonly fps: number;
  /** Read files at their native rate (like a camera) instead of as fast as possible. */
  readonly realtime: boolean;
  /** A live source with no frame for this long is declared stalled and restarted. */
  readonly stallTimeoutMs: number;
  /** Longest wait for the first frame of an attempt (connect, probe, first keyframe). */
  readonly firstFrameTimeoutMs: number;
  /** Reconnect backoff: first delay, growth factor, ceiling. */
  readonly backoffInitialMs: number;
  readonly backoffFactor: number;
  readonly backoffMaxMs: number;
  /** Give up after this many consecutive failed attempts (Infinity: never). */
  readonly maxReconnectAttempts: number;
  /** Teardown: SIGTERM, then SIGKILL if ffmpeg is still alive after this long. */
  readonly killTimeoutMs: number;
  /** How often an `fps` health event is emitted. */
  readonly fpsIntervalMs: number;
  /** RTSP socket timeout handed to ffmpeg (`-timeout`, in microseconds there). */
  readonly rtspTimeoutMs: number;
  /** RTSP transport; UDP is ffmpeg's default, TCP passes firewalls. */
  readonly rtspTransport: 'udp' | 'tcp' | 'auto';
  /** ffmpeg lines kept to explain a failure. */
  readonly stderrLines: number;
}

export const DEFAULT_CAPTURE_CONFIG: CaptureConfig = {
  width: 640,
  height: 480,
  fps: 30,
  realtime: true,
  stallTimeoutMs: 5_000,
  firstFrameTimeoutMs: 20_000,
  backoffInitialMs: 500,
  backoffFactor: 2,
  backoffMaxMs: 10_000,
  maxReconnectAttempts: Number.POSITIVE_INFINITY,
  killTimeoutMs: 2_000,
  fpsIntervalMs: 1_000,
  rtspTimeoutMs: 5_000,
  rtspTransport: 'auto',
  stderrLines: 20,
};

/** Parses `WxH` (e.g. 640x480). */
export function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/i.exec(text.trim());
  if (!m) throw new Error(`Bad size '${text}': expected WxH, e.g. 640x480`);
  const width = Number(m[1]);
  const height = Number(m[2]);
  if (width < 16 || height < 16 || width > 8192 || height > 8192 || width % 2 !== 0 || height % 2 !== 0) {
    throw new Error(`Bad size '${text}': width and height must be even and between 16 and 8192`);
  }
  return { width, height };
}
