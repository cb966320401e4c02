import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filter, firstValueFrom, lastValueFrom, take, toArray } from 'rxjs';
import { capture } from '../../src/capture/capture.js';
import { ensureExecutable, resolveFfmpeg } from '../../src/capture/ffmpeg-binary.js';
import { ffmpegChildrenExited, runningFfmpegCount, terminate } from '../../src/capture/ffmpeg-frames.js';
import type { CaptureEvent } from '../../src/capture/health.js';
import type { Frame } from '../../src/core/frame.js';

let dir: string;
const ffmpeg = resolveFfmpeg().path;

function makeVideo(name: string, args: string[]): string {
  const out = join(dir, name);
  execFileSync('nice', ['-n', '15', ffmpeg, '-hide_banner', '-loglevel', 'error', '-nostdin', '-y', ...args, out]);
  return out;
}

const framesOf = (events: CaptureEvent[]): Frame[] => events.flatMap((e) => (e.kind === 'frame' ? [e.frame] : []));
const fast = { width: 160, height: 120, fps: 10, realtime: false } as const;

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'leukoscan-capture-'));
  // 2 s of testsrc2 at 25 fps: an MP4 (moov at the end) and a Matroska file.
  makeVideo('clip.mp4', ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'mpeg4', '-q:v', '5']);
  makeVideo('clip.mkv', ['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25', '-t', '2', '-c:v', 'mpeg4', '-q:v', '5']);
  const mp4 = readFileSync(join(dir, 'clip.mp4'));
  writeFileSync(join(dir, 'truncated.mp4'), mp4.subarray(0, Math.floor(mp4.length * 0.5)));
  const mkv = readFileSync(join(dir, 'clip.mkv'));
  writeFileSync(join(dir, 'truncated.mkv'), mkv.subarray(0, Math.floor(mkv.length * 0.5)));
  // A PDF header: ffmpeg's probe finds no format. (Plain text would not do: ffmpeg's tty demuxer renders it.)
  writeFileSync(join(dir, 'report.pdf'), '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj << /Type /Catalog >> endobj\n'.repeat(8), 'latin1');
  writeFileSync(join(dir, 'notvideo.mp4'), 'this is a text file, not a video\n'.repeat(100));
});

afterAll(async () => {
  await ffmpegChildrenExited();
  rmSync(dir, { recursive: true, force: true });
});

describe('capture from files (real ffmpeg)', () => {
  it('decodes a generated video to RGB frames of the chosen size and rate, then completes', async () => {
    const events = await lastValueFrom(capture(join(dir, 'clip.mp4'), fast).pipe(toArray()));
    const frames = framesOf(events);
    // 2 s at 10 fps.
    expect(frames.length).toBeGreaterThanOrEqual(19);
    expect(frames.length).toBeLessThanOrEqual(21);
    expect(frames.map((f) => f.seq)).toEqual(frames.map((_, i) => i));
    for (const f of frames) {
      expect(f.width).toBe(160);
      expect(f.height).toBe(120);
      expect(f.rgb.length).toBe(160 * 120 * 3);
    }
    // testsrc2 is colourful: the frame is not flat.
    const px = frames[0].rgb;
    const distinct = new Set<number>();
    for (let i = 0; i < px.length; i += 3) distinct.add((px[i] << 16) | (px[i + 1] << 8) | px[i + 2]);
    expect(distinct.size).toBeGreaterThan(20);
    // The first event that is not an fps report says connected, before any frame.
    expect(events.find((e) => !(e.kind === 'health' && e.health.type === 'fps'))).toMatchObject({ kind: 'health', health: { type: 'connected' } });
  });

  it('NOT A VIDEO - a PDF fails with a clear error naming the file', async () => {
    const file = join(dir, 'report.pdf');
    await expect(lastValueFrom(capture(file, fast))).rejects.toThrow(`${file}: not a video ffmpeg can decode (invalid data)`);
    // Named .mp4, ffmpeg reads it as MP4 and finds no index.
    const mp4 = join(dir, 'notvideo.mp4');
    await expect(lastValueFrom(capture(mp4, fast))).rejects.toThrow(`${mp4}: not a playable MP4/MOV: truncated, incomplete or not a video (moov atom not found)`);
  });

  it('TRUNCATED VIDEO - an MP4 cut in half (no moov atom) fails with a clear error', async () => {
    const file = join(dir, 'truncated.mp4');
    await expect(lastValueFrom(capture(file, fast))).rejects.toThrow(`${file}: not a playable MP4/MOV: truncated, incomplete or not a video (moov atom not found)`);
  });

  it('TRUNCATED VIDEO - a Matroska file cut in half yields the frames it has and ends without crashing', async () => {
    const frames = framesOf(await lastValueFrom(capture(join(dir, 'truncated.mkv'), fast).pipe(toArray())));
    expect(frames.length).toBeGreaterThan(3);
    expect(frames.length).toBeLessThan(19);
  });

  it('MISSING FILE - a path that does not exist fails with "file not found"', async () => {
    await expect(lastValueFrom(capture(join(dir, 'nope.mp4'), fast))).rejects.toThrow(`file not found: ${join(dir, 'nope.mp4')}`);
  });

  it('WRONG URI - an unsupported scheme fails before anything is spawned', async () => {
    await expect(lastValueFrom(capture('http://example.invalid/a.mp4', fast))).rejects.toThrow("unsupported scheme 'http:'");
    expect(runningFfmpegCount()).toBe(0);
  });
});

describe('capture teardown', () => {
  it('unsubscribing from a live source ends ffmpeg', async () => {
    const pids: number[] = [];
    const frames = await firstValueFrom(
      capture('test:testsrc2', { width: 160, height: 120, fps: 30, onSpawn: (c) => c.pid && pids.push(c.pid) }).pipe(
        filter((e) => e.kind === 'frame'),
        take(3),
        toArray(),
      ),
    );
    expect(frames).toHaveLength(3);
    expect(pids).toHaveLength(1);
    await ffmpegChildrenExited();
    expect(alive(pids[0])).toBe(false);
  });

  it('a child that ignores SIGTERM is killed with SIGKILL after the timeout', async () => {
    const child = spawn('sh', ['-c', 'trap "" TERM; sleep 10'], { stdio: 'ignore' });
    await new Promise((r) => setTimeout(r, 200));
    const exited = new Promise<NodeJS.Signals | null>((resolve) => child.once('exit', (_code, signal) => resolve(signal)));
    const t0 = Date.now();
    terminate(child, 300);
    expect(await exited).toBe('SIGKILL');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(250);
  });
});

describe('USB camera without a camera', () => {
  it('UNPLUGGED CAMERA - a missing /dev/video* gives a reconnecting health event naming the device', async () => {
    const events = await firstValueFrom(capture('v4l2:///dev/video99', { backoffInitialMs: 5 }).pipe(take(2), toArray()));
    expect(events.map((e) => (e.kind === 'health' && e.health.type === 'reconnecting' ? e.health.reason : e.kind))).toEqual([
      'camera /dev/video99 not found (is it plugged in? run `leukoscan devices`)',
      'camera /dev/video99 not found (is it plugged in? run `leukoscan devices`)',
    ]);
  });

  it('UNPLUGGED CAMERA - with no retries allowed the error names the device', async () => {
    await expect(lastValueFrom(capture('v4l2:///dev/video99', { maxReconnectAttempts: 0 }))).rejects.toThrow(
      'v4l2:///dev/video99: camera /dev/video99 not found (is it plugged in? run `leukoscan devices`)',
    );
  });
});

describe('ffmpeg binary', () => {
  it('restores a missing execute bit (as when @ffmpeg-installer postinstall did not run)', () => {
    const copy = join(dir, 'ffmpeg-copy');
    writeFileSync(copy, '#!/bin/sh\necho ffmpeg\n');
    chmodSync(copy, 0o644);
    ensureExecutable(copy);
    expect(statSync(copy).mode & 0o111).not.toBe(0);
  });

  it('falls back to @ffmpeg-installer when no ffmpeg is on PATH', () => {
    const bin = resolveFfmpeg({ PATH: '' });
    expect(bin.origin).toBe('@ffmpeg-installer');
    expect(statSync(bin.path).mode & 0o111).not.toBe(0);
    expect(execFileSync(bin.path, ['-hide_banner', '-version']).toString()).toMatch(/^ffmpeg version/);
  });

  it('BAD LEUKOSCAN_FFMPEG - names the variable', () => {
    expect(() => resolveFfmpeg({ LEUKOSCAN_FFMPEG: join(dir, 'nope') })).toThrow(`LEUKOSCAN_FFMPEG=${join(dir, 'nope')} is not an executable file`);
  });
});

