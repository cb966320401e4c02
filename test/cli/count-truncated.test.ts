/**
 * Issue 25 item 5: `count` on a video cut short. REAL ffmpeg writes a 60-frame mp4 and a copy cut to
 * half its bytes (ffmpeg decodes 28 frames of it, logs decoder errors and still exits 0); the tiny
 * fixture model counts. The cut file must not pass as whole.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { judgeCompleteness } from '../../src/capture/video-integrity.js';
import { TINY_MODEL } from '../detect/helpers.js';
import { leukoscan } from './cli-helpers.js';

describe('judgeCompleteness', () => {
  it.each([
    // [case, read, container, errors, complete]
    ['every frame, no errors', 60, 60, 0, true],
    ['container count unknown, no errors', 60, null, 0, true],
    ['fewer frames than the container holds', 28, 60, 0, false],
    ['decoder errors though the count matches', 60, 60, 2, false],
    ['decoder errors, count unknown', 40, null, 1, false],
    // --realtime: resampled to 30 fps, so the count follows the time decoded (container: its duration at 30 fps)
    ['resampled: the whole duration', 180, 180, 0, true, 30],
    ['resampled: up to one second short is whole', 151, 180, 0, true, 30],
    ['resampled: half the duration', 90, 180, 0, false, 30],
  ])('%s', (_case, framesRead, containerFrames, n, complete, resampledFps?: number) => {
    const errors = Array.from({ length: n }, (_, i) => `[h264] Invalid NAL unit size (${i})`);
    expect(judgeCompleteness({ framesRead, containerFrames, decoderErrors: errors, decoderErrorCount: n, resampledFps }).complete).toBe(complete);
  });

  it('says what was read against what the container holds, and the first decoder error', () => {
    expect(judgeCompleteness({ framesRead: 28, containerFrames: 60, decoderErrors: ['Invalid NAL unit size (725 > 447).'], decoderErrorCount: 9 }).warning).toBe(
      'the video ended early: read 28 of 60 frames; 9 decoder errors, the first: Invalid NAL unit size (725 > 447).',
    );
  });
});

describe('leukoscan count on a truncated video', () => {
  let dir = '';
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'leukoscan-trunc-'));
    const full = join(dir, 'full.mp4');
    execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', 'testsrc2=size=160x120:rate=10', '-frames:v', '60', '-pix_fmt', 'yuv420p', '-c:v', 'libx264', '-movflags', '+faststart', full]);
    writeFileSync(join(dir, 'half.mp4'), readFileSync(full).subarray(0, Math.floor(statSync(full).size / 2)));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const count = (file: string, ...extra: string[]) => leukoscan(['count', join(dir, file), '--model', TINY_MODEL, '--size', '160x120', '--threads', '1', ...extra, '--json', join(dir, `${file}${extra.join('')}.json`)], 120_000);

  it('a whole video: exit 0, no warning, the documented JSON keys', async () => {
    const r = await count('full.mp4');
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(r.stderr).not.toContain('ended early');
    expect(Object.keys(JSON.parse(readFileSync(join(dir, 'full.mp4.json'), 'utf8')))).toEqual(['differential', 'total', 'cells', 'frames']);
  });

  it('TRUNCATED VIDEO - exit 3 with the partial result, frames read against the container and the decoder errors', async () => {
    const r = await count('half.mp4');
    expect(r.code, r.stderr).toBe(EXIT.PARTIAL);
    expect(r.stderr).toMatch(/leukoscan count: WARNING: the video ended early: read (\d+) of 60 frames; \d+ decoder errors?, the first: /);
    const j = JSON.parse(readFileSync(join(dir, 'half.mp4.json'), 'utf8'));
    expect(j.frames.read).toBeLessThan(60);
    expect(j.incomplete).toMatchObject({ frames_read: j.frames.read, container_frames: 60 });
    expect(j.incomplete.decoder_error_count).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/^counted \d+ leukocytes/);
  });

  it('TRUNCATED VIDEO, --realtime - exit 3 with the partial result: the time decoded against the container at --fps, and the decoder errors', async () => {
    const r = await count('half.mp4', '--realtime', '--fps', '10');
    expect(r.code, r.stderr).toBe(EXIT.PARTIAL);
    expect(r.stderr).toMatch(/leukoscan count: WARNING: the video ended early: read \d+ of 60 frames at 10 fps; \d+ decoder errors?, the first: /);
    const j = JSON.parse(readFileSync(join(dir, 'half.mp4--realtime--fps10.json'), 'utf8'));
    expect(j.incomplete).toMatchObject({ frames_read: j.frames.read, container_frames: 60, resampled_fps: 10 });
    expect(j.incomplete.decoder_error_count).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/^counted \d+ leukocytes/);
  });

  it('a whole video, --realtime: exit 0, no warning', async () => {
    const r = await count('full.mp4', '--realtime', '--fps', '10');
    expect(r.code, r.stderr).toBe(EXIT.OK);
    expect(r.stderr).not.toContain('ended early');
  });
});
