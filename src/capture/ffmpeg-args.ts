import type { CaptureConfig } from './config.js';
import type { SourceSpec } from './source-uri.js';

/** What fluent-ffmpeg needs to run one capture: input, options before it, options for the rawvideo pipe. */
export interface FfmpegInvocation {
  readonly input: string;
  readonly inputOptions: readonly string[];
  readonly outputOptions: readonly string[];
}

type ArgsConfig = Pick<CaptureConfig, 'width' | 'height' | 'fps' | 'realtime' | 'rtspTimeoutMs' | 'rtspTransport'>;

/** Pure: the ffmpeg arguments that decode `spec` to rgb24 rawvideo at the configured size and rate. */
export function buildFfmpegInvocation(spec: SourceSpec, config: ArgsConfig): FfmpegInvocation {
  // Global options go first (fluent-ffmpeg places input options before -i).
  const global = ['-nostdin', '-hide_banner', '-loglevel', 'error'];
  const outputOptions = [
    '-an',
    '-sn',
    '-vf',
    `fps=${config.fps},scale=${config.width}:${config.height}:flags=bilinear`,
    '-f',
    'rawvideo',
    '-pix_fmt',
    'rgb24',
  ];
  switch (spec.kind) {
    case 'file':
      return { input: spec.path, inputOptions: [...global, ...(config.realtime ? ['-re'] : [])], outputOptions };
    case 'rtsp': {
      const transport = config.rtspTransport === 'auto' ? [] : ['-rtsp_transport', config.rtspTransport];
      return {
        input: spec.url,
        inputOptions: [...global, ...transport, '-timeout', String(Math.round(config.rtspTimeoutMs * 1000)), '-fflags', 'nobuffer', '-flags', 'low_delay'],
        outputOptions,
      };
    }
    case 'v4l2':
      return { input: spec.device, inputOptions: [...global, '-f', 'v4l2'], outputOptions };
    case 'test': {
      const pattern = spec.pattern.includes('=') ? spec.pattern : `${spec.pattern}=size=${config.width}x${config.height}:rate=${config.fps}`;
      return { input: pattern, inputOptions: [...global, '-re', '-f', 'lavfi'], outputOptions };
    }
  }
}
