import { describe, expect, it } from 'vitest';
import type { Frame } from '../../src/core/frame.js';
import { deviceFrames, planDeviceRun, realDeviceFrames } from '../../src/sim/devices/device-run.js';
import { renderDeviceFrame } from '../../src/sim/devices/render-device.js';
import { shiftStain } from '../../src/sim/devices/stain.js';
import type { DeviceSourceField, DeviceSpec } from '../../src/sim/devices/types.js';
import { createRng } from '../../src/sim/rng.js';
import type { Box } from '../../src/track/types.js';

const BG = 240;
const INK = 40;

/** A W x H field, background BG, with dark discs (centre, radius) annotated by their bounding boxes. */
function discField(name: string, discs: readonly { cx: number; cy: number; r: number }[], W = 640, H = 480): DeviceSourceField {
  const rgb = new Uint8Array(W * H * 3).fill(BG);
  for (const d of discs) {
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        if ((x + 0.5 - d.cx) ** 2 + (y + 0.5 - d.cy) ** 2 <= d.r * d.r) rgb.fill(INK, (y * W + x) * 3, (y * W + x) * 3 + 3);
      }
    }
  }
  const cells = discs.map((d) => ({ box: { x1: d.cx - d.r, y1: d.cy - d.r, x2: d.cx + d.r, y2: d.cy + d.r }, type: 'NEU' as const }));
  return { name, width: W, height: H, rgb, cells, rbcBoxes: discs.map((d) => ({ x1: d.cx - d.r, y1: d.cy - d.r, x2: d.cx + d.r, y2: d.cy + d.r })) };
}

/** Bounding box (pixel edges) of the dark pixels of a frame within a window; null when none. */
function darkBox(frame: Frame, win: Box): Box | null {
  let x1 = Infinity;
  let y1 = Infinity;
  let x2 = -Infinity;
  let y2 = -Infinity;
  for (let y = Math.max(0, Math.floor(win.y1)); y < Math.min(frame.height, Math.ceil(win.y2)); y++) {
    for (let x = Math.max(0, Math.floor(win.x1)); x < Math.min(frame.width, Math.ceil(win.x2)); x++) {
      if (frame.rgb[(y * frame.width + x) * 3] < (BG + INK) / 2) {
        x1 = Math.min(x1, x);
        y1 = Math.min(y1, y);
        x2 = Math.max(x2, x + 1);
        y2 = Math.max(y2, y + 1);
      }
    }
  }
  return x2 < 0 ? null : { x1, y1, x2, y2 };
}

function expectBoxBoundsDisc(frame: Frame, box: Box, tolerancePx: number): void {
  const pad = 4;
  const found = darkBox(frame, { x1: box.x1 - pad, y1: box.y1 - pad, x2: box.x2 + pad, y2: box.y2 + pad });
  expect(found).not.toBeNull();
  for (const k of ['x1', 'y1', 'x2', 'y2'] as const) expect(Math.abs(found![k] - box[k])).toBeLessThanOrEqual(tolerancePx);
}

const VGA = { width: 640, height: 480 };
const render = (spec: DeviceSpec, fields: DeviceSourceField[], seed = 1) => renderDeviceFrame({ spec, fields, index: 0, timestampMs: 0, rng: createRng(seed) });

describe('device renderer: boxes stay on the pixels', () => {
  it('x0.25 mosaic: 16 fields in one 640x480 frame, every whole cell box bounds its disc', () => {
    const fields = Array.from({ length: 16 }, (_, k) => discField(`f${k}`, [{ cx: 200 + 10 * k, cy: 150 + 8 * k, r: 48 }, { cx: 480, cy: 330, r: 60 }]));
    const spec: DeviceSpec = { name: 'x0.25', description: '', magnification: 0.25, frame: VGA };
    expect(planDeviceRun(spec, fields[0], 16)).toEqual({ frames: 1, fieldsPerFrame: 16 });
    const out = render(spec, fields);
    const whole = out.cells.filter((c) => !c.ignore);
    expect(whole.length).toBe(32);
    // discs of radius 48 and 60 px become 24 and 30 px across
    for (const c of whole) {
      expect([24, 30].some((w) => Math.abs(c.box.x2 - c.box.x1 - w) < 1e-6)).toBe(true);
      expectBoxBoundsDisc(out.frame, c.box, 1);
    }
    expect(out.rbcDiameterPx).toBeCloseTo(((96 + 120) / 2) * 0.25, 6);
  });

  it('x1.5 crop: the cell box is scaled by 1.5 about the crop and still bounds its disc', () => {
    const field = discField('one', [{ cx: 320, cy: 240, r: 60 }]);
    const out = render({ name: 'x1.5', description: '', magnification: 1.5, frame: VGA }, [field]);
    expect(out.cells).toHaveLength(1);
    const c = out.cells[0];
    expect(c.ignore).toBe(false);
    expect(c.box.x2 - c.box.x1).toBeCloseTo(180, 6);
    expectBoxBoundsDisc(out.frame, c.box, 1);
  });

  it('x1.5 crop: a cell cut by the crop edge is clipped to the frame and ignored', () => {
    const field = discField('two', [{ cx: 320, cy: 240, r: 50 }, { cx: 40, cy: 240, r: 50 }]);
    // the crop (427 x 320) centred on the first cell starts at x ~106: the second cell (x -10..90) is out, or cut
    const out = render({ name: 'x1.5', description: '', magnification: 1.5, frame: VGA }, [field], 3);
    for (const c of out.cells) {
      expect(c.box.x1).toBeGreaterThanOrEqual(0);
      expect(c.box.x2).toBeLessThanOrEqual(640);
      if (c.box.x1 === 0) expect(c.ignore).toBe(true);
    }
  });

  it('eyepiece: black outside the circle; a cell outside is dropped, one on the rim is clipped and ignored', () => {
    const field = discField('eye', [{ cx: 208, cy: 208, r: 40 }, { cx: 30, cy: 30, r: 20 }, { cx: 208, cy: 18, r: 30 }], 416, 416);
    const spec: DeviceSpec = { name: 'eye', description: '', magnification: 1, frame: { width: 416, height: 416 }, eyepiece: { radiusFraction: 0.9 } };
    const out = render(spec, [field]);
    // the centre cell is whole, the corner cell (centre 250 px from the middle, radius 187) gone
    expect(out.cells).toHaveLength(2);
    const centre = out.cells.find((c) => c.box.y1 > 100)!;
    expect(centre.ignore).toBe(false);
    expectBoxBoundsDisc(out.frame, centre.box, 1);
    const rim = out.cells.find((c) => c.box.y1 < 100)!;
    expect(rim.ignore).toBe(true);
    // the rim cell's box starts where the circle does (y = 208 - 187.2), not at the disc's top (-12)
    expect(rim.box.y1).toBeGreaterThan(18);
    expect(rim.box.y2).toBeCloseTo(48, 0);
    expect(out.frame.rgb[0]).toBe(0);
    expect(out.frame.rgb[(208 * 416 + 208) * 3]).toBe(INK);
  });
});

describe('device renderer: determinism and stain', () => {
  const pool = Array.from({ length: 6 }, (_, k) => discField(`p${k}`, [{ cx: 100 + 60 * k, cy: 240, r: 40 }]));
  const spec: DeviceSpec = { name: 'noisy-x0.6', description: '', magnification: 0.6, frame: VGA, noise: 4, blurSigma: 1 };
  const run = (seed: number) => [...deviceFrames(spec, pool, { fields: 8, seed })];

  it('the same seed renders the same frames and boxes; another seed does not', () => {
    const a = run(7);
    const b = run(7);
    const c = run(8);
    expect(a).toHaveLength(2);
    expect(a.map((f) => f.fields)).toEqual(b.map((f) => f.fields));
    expect(Buffer.from(a[1].frame.rgb).equals(Buffer.from(b[1].frame.rgb))).toBe(true);
    expect(a[1].cells).toEqual(b[1].cells);
    expect(Buffer.from(a[1].frame.rgb).equals(Buffer.from(c[1].frame.rgb))).toBe(false);
  });

  it('real-device frames are the fields as they are, in a seeded order', () => {
    const frames = [...realDeviceFrames('raabin', pool, { fields: 3, seed: 1 })];
    expect(frames).toHaveLength(3);
    const src = pool.find((p) => p.name === frames[0].fields[0])!;
    expect(Buffer.from(frames[0].frame.rgb).equals(Buffer.from(src.rgb))).toBe(true);
    expect(frames[0].cells[0].box).toEqual(src.cells[0].box);
  });

  it('stain shift in optical density changes the cells, not the bright background', () => {
    // background near white; a purple (nucleus-like) and a pink (red-cell-like) pixel
    const px = (r: number, g: number, b: number) => [r, g, b];
    const before = [px(245, 244, 246), px(110, 60, 150), px(230, 150, 170)];
    for (const shift of [{ blue: 1.5, pink: 0.7 }, { blue: 0.7, pink: 1.5 }]) {
      const rgb = new Float32Array(before.flat());
      shiftStain(rgb, shift);
      const delta = (i: number) => Math.max(...[0, 1, 2].map((c) => Math.abs(rgb[i * 3 + c] - before[i][c])));
      expect(delta(0)).toBeLessThanOrEqual(2);
      expect(delta(1)).toBeGreaterThanOrEqual(10);
      expect(delta(2)).toBeGreaterThanOrEqual(10);
    }
    // more blue stain makes the nucleus bluer relative to red; more pink makes the red cell pinker (less green)
    const blue = new Float32Array(before.flat());
    shiftStain(blue, { blue: 1.5, pink: 1 });
    expect(blue[3 + 0]).toBeLessThan(before[1][0] - 10);
    const pink = new Float32Array(before.flat());
    shiftStain(pink, { blue: 1, pink: 1.5 });
    expect(pink[6 + 1]).toBeLessThan(before[2][1] - 10);
  });

  it('no stain shift (1, 1) leaves pixels within a level', () => {
    const rgb = new Float32Array([245, 244, 246, 110, 60, 150, 230, 150, 170]);
    const copy = Float32Array.from(rgb);
    shiftStain(rgb, { blue: 1, pink: 1 });
    for (let i = 0; i < rgb.length; i++) expect(Math.abs(rgb[i] - copy[i])).toBeLessThanOrEqual(1);
  });
});

describe('device runs: which fields a small run shows', () => {
  it('fields with a whole leukocyte come first; cut-only and empty fields after', () => {
    const whole = Array.from({ length: 3 }, (_, k) => discField(`w${k}`, [{ cx: 320, cy: 240, r: 40 }]));
    const cut = discField('cut', [{ cx: 20, cy: 240, r: 40 }]);
    const empty = discField('empty', []);
    const frames = [...realDeviceFrames('raabin', [cut, empty, ...whole], { fields: 3, seed: 5 })];
    expect(frames.map((f) => f.fields[0]).sort()).toEqual(['w0', 'w1', 'w2']);
    expect([...realDeviceFrames('raabin', [cut, empty, ...whole], { fields: 5, seed: 5 })].map((f) => f.fields[0]).slice(3).sort()).toEqual(['cut', 'empty']);
  });
});
