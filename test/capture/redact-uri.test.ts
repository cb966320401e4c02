import { describe, expect, it } from 'vitest';
import { redactUri, redactValue } from '../../src/capture/redact-uri.js';

describe('redactUri', () => {
  it.each([
    // [what, input, shown]
    ['user and password', 'rtsp://admin:s3cret@10.0.0.5:554/stream1', 'rtsp://admin:***@10.0.0.5:554/stream1'],
    ['rtsps', 'rtsps://u:p@cam.local/live', 'rtsps://u:***@cam.local/live'],
    ['a token as user name', 'rtsp://abcdef123@cam/x', 'rtsp://***@cam/x'],
    ['password with : and %', 'rtsp://u:pa:ss%40w@cam/x', 'rtsp://u:***@cam/x'],
    ['no credentials', 'rtsp://cam.local:554/live', 'rtsp://cam.local:554/live'],
    ['a file path', '/videos/slide 1.mp4', '/videos/slide 1.mp4'],
    ['sim', 'sim:seed=3', 'sim:seed=3'],
    ['an @ in the path only', 'rtsp://cam/live@2', 'rtsp://cam/live@2'],
    ['free text quoting the URL', "ffmpeg: rtsp://admin:pw@cam/x: 401 Unauthorized (reconnecting to rtsp://admin:pw@cam/x)", 'ffmpeg: rtsp://admin:***@cam/x: 401 Unauthorized (reconnecting to rtsp://admin:***@cam/x)'],
  ])('%s', (_what, input, shown) => {
    expect(redactUri(input)).toBe(shown);
  });

  it('redactValue masks every string of a stored event detail, keeping the shape', () => {
    expect(redactValue({ operator: 'ann', source: 'rtsp://a:b@c/d', n: 3, list: ['rtsp://x:y@z'] })).toEqual({
      operator: 'ann',
      source: 'rtsp://a:***@c/d',
      n: 3,
      list: ['rtsp://x:***@z'],
    });
  });
});
