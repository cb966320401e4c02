import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { MODEL_CLASSES } from '../../src/core/classes.js';
import { cellsToMosaicScale, deviceScanFrames, deviceScanOptions, scaleDetections } from '../../src/sim/devices/device-scan.js';
import type { DeviceSpec } from '../../src/sim/devices/types.js';
import { SCAN_DEFAULTS } from '../../src/sim/scan.js';
import type { CountedCell } from '../../src/track/types.js';

const spec = (m: number, extra: Partial<DeviceSpec> = {}): DeviceSpec => ({ name: `x${m}`, description: '', magnification: m, frame: { width: 640, height: 480 }, ...extra });

describe('device scans', () => {
  it.each([
    // ×0.6: the view is 1067 x 800 mosaic px, the mosaic 5 x 4 fields so that the raster has room
    { m: 0.6, view: [1067, 800], grid: [5, 4] },
    // ×1: today's scan exactly
    { m: 1, view: [640, 480], grid: [3, 2] },
    // ×1.5: a smaller view, the default grid
    { m: 1.5, view: [427, 320], grid: [3, 2] },
    // a 416x416 eyepiece at ×0.6: a square view of 694 px, the grid grown per axis
    { m: 0.6, view: [694, 694], grid: [4, 3], frame: { width: 416, height: 416 } },
  ])('x$m: view $view mosaic px on a $grid grid', ({ m, view, grid, frame }) => {
    const o = deviceScanOptions(spec(m, frame ? { frame } : {}), SCAN_DEFAULTS);
    expect([o.frameWidth, o.frameHeight]).toEqual(view);
    expect([o.cols, o.rows]).toEqual(grid);
    expect(o.seed).toBe(SCAN_DEFAULTS.seed);
  });

  it('frames come out at the device size with seq and time kept; a dark square scales by m', async () => {
    const W = 1067;
    const H = 800;
    const rgb = new Uint8Array(W * H * 3).fill(230);
    for (let y = 300; y < 400; y++) for (let x = 500; x < 600; x++) rgb.fill(30, (y * W + x) * 3, (y * W + x) * 3 + 3);
    const src: Frame[] = [{ seq: 7, timestampMs: 1234, width: W, height: H, rgb }];
    const out: Frame[] = [];
    for await (const f of deviceScanFrames(spec(0.6), src, 1)) out.push(f);
    expect(out).toHaveLength(1);
    const f = out[0];
    expect([f.seq, f.timestampMs, f.width, f.height]).toEqual([7, 1234, 640, 480]);
    // square 500..600 x 300..400 -> 300..360 x 180..240
    const dark = (x: number, y: number) => f.rgb[(y * 640 + x) * 3] < 130;
    expect(dark(330, 210)).toBe(true);
    expect(dark(298, 210)).toBe(false);
    expect(dark(362, 210)).toBe(false);
    expect(dark(330, 178)).toBe(false);
  });

  it('oracle boxes scale into the device frame, counted cells back to mosaic px', () => {
    const d = scaleDetections(
      { kind: 'xyxy-pixels', imageWidth: 1067, imageHeight: 800, boxes: new Float32Array([100, 200, 300, 400]), scores: new Float32Array([1]), classIds: new Int32Array([0]), classNames: MODEL_CLASSES },
      0.6,
      640,
      480,
    );
    expect([...d.boxes].map((v) => Math.round(v * 1000) / 1000)).toEqual([60, 120, 180, 240]);
    expect([d.imageWidth, d.imageHeight]).toEqual([640, 480]);
    const cell = { id: 1, segment: 0, type: 'NEU', confidence: 1, slideX: 60, slideY: 120, slideBox: { x1: 30, y1: 60, x2: 90, y2: 180 } } as CountedCell;
    const [back] = cellsToMosaicScale([cell], 0.6);
    expect(back.slideX).toBeCloseTo(100, 9);
    expect(back.slideBox.y2).toBeCloseTo(300, 9);
  });
});
