import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { firstValueFrom, take, toArray, filter } from 'rxjs';
import { parseSimUri, validateServeSource } from '../../src/stream/sources.js';
import { simulatedCapture } from '../../src/sim/sim-source.js';
import { BCCD_TEST_ROOT } from '../data.js';

// The slide to simulate: the full BCCD test split when present, else the demo slide (demo/).
const DATA = BCCD_TEST_ROOT;

describe('serve sources', () => {
  it('parses sim: URIs with defaults and options', () => {
    expect(parseSimUri('sim:')).toMatchObject({ kind: 'sim', seed: 1, fps: 10, durationS: 120 });
    expect(parseSimUri('sim:seed=3,fps=8,duration=30')).toMatchObject({ seed: 3, fps: 8, durationS: 30 });
  });

  it('BAD SIM URI - names the option that is wrong', () => {
    expect(() => parseSimUri('sim:speed=3')).toThrow("unknown sim option 'speed' (seed, fps, duration)");
    expect(() => parseSimUri('sim:seed=1.5')).toThrow("seed must be a positive number, got '1.5'");
    expect(() => parseSimUri('sim:fps=120')).toThrow('fps must be at most 60');
  });

  it('accepts capture URIs and refuses unknown schemes', () => {
    expect(() => validateServeSource('test:testsrc2')).not.toThrow();
    expect(() => validateServeSource('rtsp://cam.local/stream')).not.toThrow();
    expect(() => validateServeSource('gopher://x')).toThrow(/unsupported scheme/);
  });

  it('renders a simulated scan of the BCCD data in a worker, on the frame clock', async () => {
    expect(existsSync(resolve(DATA, 'bccd')), `BCCD data missing at ${DATA}`).toBe(true);
    const started = performance.now();
    const frames = await firstValueFrom(
      simulatedCapture(parseSimUri('sim:fps=20,duration=60'), DATA).pipe(
        filter((e) => e.kind === 'frame'),
        take(3),
        toArray(),
      ),
    );
    expect(frames.map((e) => (e.kind === 'frame' ? e.frame.seq : -1))).toEqual([0, 1, 2]);
    const f = frames[0].kind === 'frame' ? frames[0].frame : null;
    expect(f).toMatchObject({ width: 640, height: 480 });
    expect(f!.rgb.length).toBe(640 * 480 * 3);
    expect(performance.now() - started).toBeGreaterThan(90); // 3 frames at 20 fps: at least 2 periods
  });
});
