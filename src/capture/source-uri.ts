/**
 * Capture sources are named by URI. Parsing is pure: no file system or network access.
 *
 *   /path/to/video.mp4, ./clip.mkv, file:///abs/path.mp4   a video file (not live)
 *   rtsp://host:port/path, rtsps://…                       an RTSP camera (live)
 *   v4l2:///dev/video0                                     a USB UVC camera (live)
 *   test:testsrc2, test:smptebars                          an ffmpeg lavfi test pattern (live, real time)
 */
export type SourceSpec =
  | { readonly kind: 'file'; readonly path: string; readonly uri: string }
  | { readonly kind: 'rtsp'; readonly url: string; readonly uri: string }
  | { readonly kind: 'v4l2'; readonly device: string; readonly uri: string }
  | { readonly kind: 'test'; readonly pattern: string; readonly uri: string };

export type SourceKind = SourceSpec['kind'];

/** Patterns accepted after `test:`; all are ffmpeg lavfi video sources. */
export const TEST_PATTERNS = ['testsrc', 'testsrc2', 'smptebars', 'smptehdbars', 'rgbtestsrc', 'mandelbrot', 'life', 'color'] as const;

export class SourceUriError extends Error {
  constructor(readonly uri: string, reason: string) {
    super(`Bad source URI '${uri}': ${reason}`);
    this.name = 'SourceUriError';
  }
}

/** True for sources that are watched for stalls and reconnected. */
export function isLiveSource(spec: SourceSpec): boolean {
  return spec.kind !== 'file';
}

export function parseSourceUri(uri: string): SourceSpec {
  const text = uri.trim();
  if (text === '') throw new SourceUriError(uri, 'empty; expected a file path, rtsp://…, v4l2:///dev/videoN or test:PATTERN');
  const scheme = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(text)?.[1]?.toLowerCase();
  if (scheme === undefined || /^[a-zA-Z]$/.test(scheme)) {
    // No scheme (or a Windows drive letter): a file path.
    return { kind: 'file', path: text, uri: text };
  }
  switch (scheme) {
    case 'file': {
      const path = decodeURIComponent(text.replace(/^file:\/\//i, ''));
      if (path === '') throw new SourceUriError(uri, 'file URI without a path');
      return { kind: 'file', path, uri: text };
    }
    case 'rtsp':
    case 'rtsps': {
      let parsed: URL;
      try {
        parsed = new URL(text);
      } catch {
        throw new SourceUriError(uri, 'not a valid RTSP URL (expected rtsp://host[:port]/path)');
      }
      if (parsed.hostname === '') throw new SourceUriError(uri, 'RTSP URL has no host');
      return { kind: 'rtsp', url: text, uri: text };
    }
    case 'v4l2': {
      const device = text.replace(/^v4l2:(\/\/)?/i, '');
      if (!/^\/dev\/[\w./-]+$/.test(device)) {
        throw new SourceUriError(uri, 'expected v4l2:///dev/videoN (run `leukoscan devices` to list cameras)');
      }
      return { kind: 'v4l2', device, uri: text };
    }
    case 'test': {
      const pattern = text.slice('test:'.length).replace(/^\/\//, '');
      const name = pattern.split(/[=:]/)[0];
      if (!(TEST_PATTERNS as readonly string[]).includes(name)) {
        throw new SourceUriError(uri, `unknown test pattern '${name}'; one of ${TEST_PATTERNS.join(', ')}`);
      }
      return { kind: 'test', pattern, uri: text };
    }
    default:
      throw new SourceUriError(uri, `unsupported scheme '${scheme}:'; expected a file path, rtsp://, v4l2:// or test:`);
  }
}
