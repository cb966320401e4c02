import { mkdtemp, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { redactSourceUri } from '../../src/cli/calibrate-frames.js';
import { readDeviceProfile } from '../../src/calibration/profile-file.js';
import { discField, solid } from '../calibration/synthetic.js';
import { leukoscan } from './cli-helpers.js';

let dir = '';
const png = (file: string, rgb: Uint8Array, w: number, h: number) => sharp(Buffer.from(rgb), { raw: { width: w, height: h, channels: 3 } }).png().toFile(file);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'leukoscan-calibrate-'));
  await mkdir(join(dir, 'smear'));
  for (const seed of [1, 2]) await png(join(dir, 'smear', `f${seed}.png`), discField({ width: 640, height: 480, diameter: 40, seed }).rgb, 640, 480);
  await png(join(dir, 'black.png'), solid(320, 240, [0, 0, 0]), 320, 240);
});

describe('leukoscan calibrate', () => {
  it('a directory of smear images: writes a profile and prints the one-line summary', async () => {
    const out = join(dir, 'smear.json');
    const r = await leukoscan(['calibrate', join(dir, 'smear'), '--out', out]);
    expect(r.stderr).toMatch(/2 of 2 frame\(s\) gave a scale/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Scale \d+\.\d+ µm\/px \(\d+ red cells\) · field: full · colour: (calibrated|white balance only)\n$/);
    const p = await readDeviceProfile(out);
    expect(p.frames).toBe(2);
    expect(p.frameSize).toEqual({ width: 640, height: 480 });
    // 40 px discs; the annotation-box bias fitted on BCCD makes the estimate a little larger.
    expect(p.scale.rbcDiameterPx).toBeGreaterThan(30);
    expect(p.scale.rbcDiameterPx).toBeLessThan(55);
  });

  const failures: { name: string; args: () => string[]; code: number; message: RegExp }[] = [
    // no red cells: nothing is written, exit 1, and why
    { name: 'a black frame', args: () => ['calibrate', join(dir, 'black.png'), '--out', join(dir, 'x.json')], code: 1, message: /no calibration from 1 frame\(s\): cannot estimate scale: no red cells found/ },
    // missing input: 66
    { name: 'a missing source', args: () => ['calibrate', join(dir, 'nope'), '--out', join(dir, 'x.json')], code: 66, message: /source .*nope not found/ },
    // bad usage: 2
    { name: 'no --out', args: () => ['calibrate', join(dir, 'smear')], code: 2, message: /required option '--out <file>'/ },
    { name: 'a bad source URI', args: () => ['calibrate', 'test:nosuch', '--out', join(dir, 'x.json')], code: 2, message: /unknown test pattern 'nosuch'/ },
    { name: 'a bad --frames', args: () => ['calibrate', join(dir, 'smear'), '--frames', '0', '--out', join(dir, 'x.json')], code: 2, message: /--frames/ },
  ];
  it.each(failures)('FAILS - $name: exit $code', async ({ args, code, message }) => {
    const r = await leukoscan(args());
    expect(r.stderr).toMatch(message);
    expect(r.code).toBe(code);
  });

  it.each([
    // credentials in an RTSP URL are not written into the profile
    ['rtsp://admin:s3cret@10.0.0.5:554/stream1', 'rtsp://admin:***@10.0.0.5:554/stream1'],
    // nothing to redact
    ['rtsp://10.0.0.5/stream1', 'rtsp://10.0.0.5/stream1'],
    ['v4l2:///dev/video0', 'v4l2:///dev/video0'],
  ])('redactSourceUri(%s)', (uri, expected) => {
    expect(redactSourceUri(uri)).toBe(expected);
  });
});
