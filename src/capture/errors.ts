import type { SourceSpec } from './source-uri.js';

/** A capture attempt failed; `message` is written for the user and names the source. */
export class CaptureError extends Error {
  constructor(
    readonly source: string,
    readonly reason: string,
    /** The last lines ffmpeg wrote to stderr, for --verbose and bug reports. */
    readonly ffmpegLines: readonly string[] = [],
    /** True when retrying cannot help (bad URI, a file that is not video, …). */
    readonly permanent = false,
  ) {
    super(`${source}: ${reason}`);
    this.name = 'CaptureError';
  }
}

/** A live source sent no frame within the stall timeout. */
export class StallError extends Error {
  constructor(readonly silentMs: number) {
    super(`no frame for ${(silentMs / 1000).toFixed(1)} s`);
    this.name = 'StallError';
  }
}

interface Rule {
  readonly pattern: RegExp;
  readonly explain: (spec: SourceSpec) => string;
  readonly permanent: boolean;
}

const RULES: readonly Rule[] = [
  {
    pattern: /No such file or directory|Cannot open video device|No such device/i,
    explain: (s) =>
      s.kind === 'v4l2'
        ? `camera ${s.device} not found (is it plugged in? run \`leukoscan devices\`)`
        : s.kind === 'file'
          ? `file not found: ${s.path}`
          : 'not found',
    permanent: false,
  },
  { pattern: /Device or resource busy/i, explain: (s) => `${s.kind === 'v4l2' ? s.device : 'device'} is busy (another program uses the camera)`, permanent: false },
  { pattern: /Permission denied/i, explain: () => 'permission denied (for a camera: add the user to the video group)', permanent: false },
  { pattern: /Connection refused/i, explain: () => 'connection refused (is the RTSP server running, is the port right?)', permanent: false },
  { pattern: /timed out|Connection timeout/i, explain: () => 'connection timed out (host unreachable or not answering)', permanent: false },
  { pattern: /Name or service not known|Temporary failure in name resolution|getaddrinfo|Failed to resolve hostname/i, explain: () => 'host name could not be resolved', permanent: false },
  { pattern: /No route to host|Network is unreachable/i, explain: () => 'host unreachable', permanent: false },
  { pattern: /Server returned 401|Unauthorized/i, explain: () => 'RTSP server refused the credentials (401 Unauthorized)', permanent: false },
  { pattern: /Server returned 404|404 Not Found/i, explain: () => 'no such stream on the RTSP server (404)', permanent: false },
  { pattern: /Server returned 4\d\d/i, explain: (s) => `RTSP server rejected the request (${s.kind})`, permanent: false },
  { pattern: /moov atom not found/i, explain: () => 'not a playable MP4/MOV: truncated, incomplete or not a video (moov atom not found)', permanent: true },
  {
    pattern: /Invalid data found when processing input|could not find codec parameters|Invalid argument/i,
    explain: (s) => (s.kind === 'file' ? 'not a video ffmpeg can decode (invalid data)' : 'the source sent data ffmpeg cannot decode'),
    permanent: true,
  },
  { pattern: /Output file #0 does not contain any stream|does not contain any stream/i, explain: () => 'no video stream in the source', permanent: true },
];

/** Pure: turns ffmpeg's stderr and exit into a CaptureError with a message for the user. */
export function explainFfmpegFailure(spec: SourceSpec, stderrLines: readonly string[], exit: string): CaptureError {
  const text = stderrLines.join('\n');
  for (const rule of RULES) {
    if (rule.pattern.test(text)) {
      return new CaptureError(spec.uri, rule.explain(spec), stderrLines, rule.permanent && spec.kind === 'file');
    }
  }
  const last = stderrLines.filter((l) => l.trim() !== '').at(-1);
  return new CaptureError(spec.uri, last ? `ffmpeg failed (${exit}): ${last.trim()}` : `ffmpeg failed (${exit})`, stderrLines);
}
