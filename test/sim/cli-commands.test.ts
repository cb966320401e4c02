import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { leukoscan } from '../cli/cli-helpers.js';
import { TINY_MODEL } from '../detect/helpers.js';

// `simulate` with no --data scans ../shared/data (or LEUKOSCAN_DATA) when there, else the demo slide (demo/);
// a --data folder that is missing fails loudly (MISSING DATA below).
describe('leukoscan simulate + count (end to end, tiny fixture model)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'leukoscan-count-'));
  });
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('simulate writes a video and ground truth', async () => {
    const r = await leukoscan(['simulate', '--seed', '5', '--size', '320x240', '--fps', '5', '--duration', '30', '--fields', '2x1', '--out', dir, '--no-mosaic'], 300_000);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`wrote ${join(dir, 'scan.mp4')} (150 frames, 320x240 @ 5 fps)`);
    const gt = JSON.parse(await readFile(join(dir, 'ground-truth.json'), 'utf8'));
    expect(gt.path).toHaveLength(150);
    expect(gt.mosaic.fields).toHaveLength(2);
    expect(gt.cells.length).toBeGreaterThan(0);
    expect(existsSync(join(dir, 'mosaic.jpg'))).toBe(false);
  });

  it('count runs every frame through the detector and writes exactly the documented JSON', async () => {
    const out = join(dir, 'count.json');
    const r = await leukoscan(['count', join(dir, 'scan.mp4'), '--model', TINY_MODEL, '--size', '320x240', '--threads', '1', '--json', out], 300_000);
    expect(r.code).toBe(0);
    const j = JSON.parse(await readFile(out, 'utf8'));
    expect(Object.keys(j)).toEqual(['differential', 'total', 'cells', 'frames']);
    expect(Object.keys(j.differential)).toEqual(['NEU', 'LYM', 'MON', 'EOS', 'BAS']);
    for (const v of Object.values(j.differential)) expect(Object.keys(v as object)).toEqual(['count', 'percent']);
    expect(j.frames).toEqual({ read: 150, detected: 150, skipped: 0 });
    expect(j.total).toBe(j.cells.length);
    for (const c of j.cells) expect(Object.keys(c)).toEqual(['id', 'type', 'confidence', 'slide_x', 'slide_y', 'first_seen', 'last_seen']);
    expect(r.stdout).toMatch(/frames read 150, detected 150, skipped 0/);
  });

  it('MISSING SOURCE - count exits 66 naming the file', async () => {
    const r = await leukoscan(['count', join(dir, 'nope.mp4'), '--model', TINY_MODEL]);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(`leukoscan count: source ${join(dir, 'nope.mp4')} not found`);
  });

  it('MISSING MODEL - count exits 66 naming the model', async () => {
    const r = await leukoscan(['count', join(dir, 'scan.mp4'), '--model', join(dir, 'none.onnx')]);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(`leukoscan count: model ${join(dir, 'none.onnx')} not found`);
  });

  it('MISSING DATA - simulate exits 66 naming the missing file', async () => {
    const r = await leukoscan(['simulate', '--data', join(dir, 'no-data'), '--out', join(dir, 'x')]);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(`BCCD data not found: ${join(dir, 'no-data', 'bccd', 'ImageSets', 'Main', 'test.txt')} is missing`);
  });
});
