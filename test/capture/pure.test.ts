import { describe, expect, it } from 'vitest';
import { backoffDelayMs } from '../../src/capture/backoff.js';
import { DEFAULT_CAPTURE_CONFIG, parseSize } from '../../src/capture/config.js';
import { explainFfmpegFailure } from '../../src/capture/errors.js';
import { buildFfmpegInvocation } from '../../src/capture/ffmpeg-args.js';
import { FrameAssembler } from '../../src/capture/frame-assembler.js';
import { parseSourceUri } from '../../src/capture/source-uri.js';

describe('parseSourceUri', () => {
  it.each([
    // [uri, expected spec]
    ['/data/smear.mp4', { kind: 'file', path: '/data/smear.mp4' }], // absolute path
    ['clips/smear 1.mkv', { kind: 'file', path: 'clips/smear 1.mkv' }], // relative path with a space
    ['file:///tmp/a%20b.mp4', { kind: 'file', path: '/tmp/a b.mp4' }], // file URI, percent-decoded
    ['rtsp://127.0.0.1:8554/cam', { kind: 'rtsp', url: 'rtsp://127.0.0.1:8554/cam' }], // RTSP
    ['rtsp://user:pw@cam.local/stream1', { kind: 'rtsp', url: 'rtsp://user:pw@cam.local/stream1' }], // RTSP with credentials
    ['v4l2:///dev/video0', { kind: 'v4l2', device: '/dev/video0' }], // USB camera
    ['v4l2:/dev/video2', { kind: 'v4l2', device: '/dev/video2' }], // short form
    ['test:testsrc2', { kind: 'test', pattern: 'testsrc2' }], // lavfi pattern
    ['test:smptebars=size=320x240:rate=10', { kind: 'test', pattern: 'smptebars=size=320x240:rate=10' }], // with lavfi options
  ])('%s', (uri, expected) => {
    expect(parseSourceUri(uri)).toMatchObject(expected);
  });

  it.each([
    ['', "Bad source URI '': empty"],
    ['http://example.com/a.mp4', "unsupported scheme 'http:'"],
    ['v4l2://video0', 'expected v4l2:///dev/videoN'],
    ['test:nosuchpattern', "unknown test pattern 'nosuchpattern'"],
    ['rtsp://', 'RTSP URL has no host'],
  ])('WRONG URI - %j is rejected with a clear message', (uri, message) => {
    expect(() => parseSourceUri(uri)).toThrow(message);
  });
});

describe('FrameAssembler', () => {
  const make = () => {
    let t = 100;
    return new FrameAssembler({ width: 2, height: 1, now: () => t++ }); // 6 bytes per frame
  };

  it.each([
    // [name, chunk sizes, frames expected, partial bytes left]
    ['one chunk per frame', [6, 6, 6], 3, 0],
    ['frames split across chunks', [4, 4, 4], 2, 0],
    ['several frames in one chunk', [18], 3, 0],
    ['byte by byte', Array(12).fill(1), 2, 0],
    ['truncated last frame', [6, 6, 3], 2, 3],
  ])('%s', (_name, sizes, frames, partial) => {
    const a = make();
    const total = (sizes as number[]).reduce((x, y) => x + y, 0);
    const bytes = Uint8Array.from({ length: total }, (_, i) => i % 251);
    const out = [];
    let off = 0;
    for (const n of sizes as number[]) {
      out.push(...a.push(bytes.subarray(off, off + n)));
      off += n;
    }
    expect(out).toHaveLength(frames);
    expect(a.partialBytes).toBe(partial);
    out.forEach((f, i) => {
      expect(f.seq).toBe(i);
      expect(Array.from(f.rgb)).toEqual(Array.from(bytes.subarray(i * 6, i * 6 + 6)));
    });
  });

  it('gives each frame its own buffer, stamps arrival time, and continues seq from firstSeq', () => {
    const a = new FrameAssembler({ width: 1, height: 1, firstSeq: 40, now: () => 7 });
    const chunk = new Uint8Array([1, 2, 3, 4, 5, 6]);
    const [f1, f2] = a.push(chunk);
    chunk.fill(0);
    expect(Array.from(f1.rgb)).toEqual([1, 2, 3]);
    expect(Array.from(f2.rgb)).toEqual([4, 5, 6]);
    expect(f1.rgb.buffer).not.toBe(f2.rgb.buffer);
    expect([f1.seq, f2.seq, f1.timestampMs]).toEqual([40, 41, 7]);
  });

  it('reset() drops a partial frame', () => {
    const a = make();
    a.push(new Uint8Array(4));
    expect(a.reset()).toBe(4);
    expect(a.push(new Uint8Array(6))).toHaveLength(1);
  });
});

describe('buildFfmpegInvocation', () => {
  const config = { ...DEFAULT_CAPTURE_CONFIG, width: 320, height: 240, fps: 15 };

  it('decodes every source to rgb24 rawvideo at the configured size and rate', () => {
    const inv = buildFfmpegInvocation(parseSourceUri('/x.mp4'), config);
    expect(inv.outputOptions).toEqual(['-an', '-sn', '-vf', 'fps=15,scale=320:240:flags=bilinear', '-f', 'rawvideo', '-pix_fmt', 'rgb24']);
    expect(inv.input).toBe('/x.mp4');
    expect(inv.inputOptions).toContain('-re');
    expect(buildFfmpegInvocation(parseSourceUri('/x.mp4'), { ...config, realtime: false }).inputOptions).not.toContain('-re');
  });

  it('uses lavfi with size and rate for test patterns', () => {
    const inv = buildFfmpegInvocation(parseSourceUri('test:testsrc2'), config);
    expect(inv.input).toBe('testsrc2=size=320x240:rate=15');
    expect(inv.inputOptions.join(' ')).toContain('-re -f lavfi');
  });

  it('uses the v4l2 demuxer for cameras and a socket timeout for RTSP', () => {
    expect(buildFfmpegInvocation(parseSourceUri('v4l2:///dev/video0'), config).inputOptions.join(' ')).toContain('-f v4l2');
    const rtsp = buildFfmpegInvocation(parseSourceUri('rtsp://h/s'), { ...config, rtspTransport: 'tcp', rtspTimeoutMs: 3000 });
    expect(rtsp.inputOptions.join(' ')).toContain('-rtsp_transport tcp -timeout 3000000');
  });
});

describe('explainFfmpegFailure', () => {
  it.each([
    // [uri, ffmpeg stderr, message the user sees, permanent]
    ['rtsp://127.0.0.1:1/x', ['[tcp @ 0x1] Connection to tcp://127.0.0.1:1?timeout=5000000 failed: Connection refused'], 'connection refused', false],
    ['rtsp://10.255.255.1/x', ['[tcp @ 0x1] Connection to tcp://10.255.255.1:554 failed: Connection timed out'], 'connection timed out', false],
    ['rtsp://nosuchhost.invalid/x', ['[tcp @ 0x1] Failed to resolve hostname nosuchhost.invalid: Name or service not known'], 'could not be resolved', false],
    ['/tmp/notvideo.mp4', ['/tmp/notvideo.mp4: Invalid data found when processing input'], 'not a video ffmpeg can decode', true],
    ['/tmp/trunc.mp4', ['[mov,mp4 @ 0x1] moov atom not found', '/tmp/trunc.mp4: Invalid data found when processing input'], 'truncated', true],
    ['v4l2:///dev/video7', ['[video4linux2,v4l2 @ 0x1] Cannot open video device /dev/video7: No such file or directory'], 'camera /dev/video7 not found', false],
    ['rtsp://h/x', ['[rtsp @ 0x1] method DESCRIBE failed: 404 Not Found', 'rtsp://h/x: Server returned 404 Not Found'], 'no such stream', false],
  ])('%s', (uri, lines, message, permanent) => {
    const err = explainFfmpegFailure(parseSourceUri(uri), lines, 'exit code 1');
    expect(err.message).toContain(uri);
    expect(err.message).toContain(message);
    expect(err.permanent).toBe(permanent);
  });

  it('falls back to the last stderr line', () => {
    expect(explainFfmpegFailure(parseSourceUri('/a.mp4'), ['something odd happened', ''], 'exit code 1').message).toBe(
      '/a.mp4: ffmpeg failed (exit code 1): something odd happened',
    );
  });
});

describe('backoff and size', () => {
  it('grows exponentially and is capped', () => {
    const o = { initialMs: 500, factor: 2, maxMs: 5000 };
    expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelayMs(n, o))).toEqual([500, 1000, 2000, 4000, 5000, 5000]);
  });

  it.each(['640x480', '1280X720'])('parses %s', (s) => expect(parseSize(s).width).toBeGreaterThan(0));
  it.each(['640', '641x480', 'axb', '0x0'])('BAD SIZE - rejects %s', (s) => expect(() => parseSize(s)).toThrow(/Bad size/));
});
