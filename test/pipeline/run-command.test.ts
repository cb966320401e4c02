import { execFileSync, spawn } from 'node:child_process';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = join(REPO, 'bin/leukoscan.js');
// The tiny test model (64x48 input) from src/detect's fixtures: fast, untrained, fine for plumbing.
const TINY = join(REPO, 'test/detect/fixtures/tiny-detr.onnx');

function run(args: string[], timeoutMs = 60_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolveRun) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolveRun({ code, stdout, stderr });
    });
  });
}

describe('leukoscan run', () => {
  it('runs a test pattern through the live pipeline, prints stats lines (not a TTY) and exits 0 after --frames', async () => {
    const r = await run(['run', '--source', 'test:testsrc2', '--model', TINY, '--device', 'cpu', '--size', '320x240', '--fps', '15', '--frames', '40']);
    expect(r.stderr).toContain('connected to test:testsrc2');
    expect(r.stderr).toMatch(/fps_in=\d+(\.\d)? fps_detected=/);
    expect(r.stderr).toMatch(/leukoscan run: stopped \(--frames 40\)/);
    expect(r.code).toBe(0);
  }, 90_000);

  it('prints JSON metrics with --json', async () => {
    const r = await run(['run', '--source', 'test:testsrc2', '--model', TINY, '--device', 'cpu', '--size', '160x120', '--frames', '40', '--json']);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines.some((l) => l.type === 'metrics')).toBe(true);
    expect(lines.some((l) => l.type === 'health')).toBe(true);
    expect(r.code).toBe(0);
  }, 90_000);

  it('WRONG URI - exits 2 with the reason', async () => {
    const r = await run(['run', '--source', 'http://example.invalid/x', '--model', TINY]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unsupported scheme 'http:'");
  }, 60_000);

  it('MISSING FILE - exits 66 naming the file', async () => {
    const r = await run(['run', '--source', '/nonexistent/smear.mp4', '--model', TINY, '--device', 'cpu']);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('/nonexistent/smear.mp4: file not found');
  }, 60_000);

  it('NOT A VIDEO - exits 1 with a clear message, no crash', async () => {
    const r = await run(['run', '--source', join(REPO, 'package.json'), '--model', TINY, '--device', 'cpu', '--no-realtime']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/package\.json: (not a video|ffmpeg failed)/);
  }, 60_000);

  it('Ctrl-C (SIGINT) stops it, exits 0 and leaves no ffmpeg behind', async () => {
    const child = spawn(process.execPath, [BIN, 'run', '--source', 'test:testsrc2', '--model', TINY, '--device', 'cpu', '--size', '160x120'], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const deadline = Date.now() + 60_000;
    while (!/fps_in=[1-9]/.test(stderr) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(stderr).toMatch(/fps_in=[1-9]/);
    const ffmpegPids = execFileSync('ps', ['-o', 'pid=,comm=', '--ppid', String(child.pid)])
      .toString()
      .split('\n')
      .filter((l) => l.includes('ffmpeg'))
      .map((l) => Number(l.trim().split(/\s+/)[0]));
    expect(ffmpegPids.length).toBe(1);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toContain('leukoscan run: stopped (SIGINT)');
    for (const pid of ffmpegPids) expect(() => process.kill(pid, 0)).toThrow();
  }, 90_000);
});
