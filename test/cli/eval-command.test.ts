import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leukoscan } from './cli-helpers.js';
import { TINY_MODEL } from '../detect/helpers.js';
import { DEMO_DATA } from '../data.js';

// Real BCCD fields and annotations: the demo slide's (demo/), so a clone without ../shared/data runs these.
const BCCD = join(DEMO_DATA, 'bccd');
const tmp = () => mkdtemp(join(tmpdir(), 'leukoscan-cli-'));

describe('leukoscan eval', () => {
  it('runs the model on a split, prints the AP table, and its saved predictions re-evaluate to the same numbers', async () => {
    const dir = await tmp();
    const split = join(dir, 'split.txt');
    await writeFile(split, 'BloodImage_00007\nBloodImage_00015\nBloodImage_00021\n');
    const args = ['--images', join(BCCD, 'JPEGImages'), '--annotations', BCCD, '--split', split, '--merge-wbc'];
    const a = await leukoscan(['eval', ...args, '--model', TINY_MODEL, '--device', 'cpu', '--json', join(dir, 'a.json'), '--save-predictions', join(dir, 'p.json')]);
    expect(a.code).toBe(0);
    expect(a.stdout).toContain('on 3 images');
    expect(a.stdout).toMatch(/AP\s+AP50\s+AP75/);
    expect(a.stdout).toMatch(/^WBC\s/m);
    const b = await leukoscan(['eval', ...args, '--predictions', join(dir, 'p.json'), '--json', join(dir, 'b.json')]);
    expect(b.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'b.json'), 'utf8'))).toEqual(JSON.parse(await readFile(join(dir, 'a.json'), 'utf8')));
  });

  it('perfect predictions (the ground truth itself) score AP 100', async () => {
    const dir = await tmp();
    const split = join(dir, 'split.txt');
    await writeFile(split, 'BloodImage_00007\nBloodImage_00015\n');
    const { readAnnotations } = await import('../../src/eval/annotations/index.js');
    const set = await readAnnotations(BCCD, BCCD, ['BloodImage_00007', 'BloodImage_00015']);
    const preds = set.boxes.map((g) => ({ file_name: `${g.imageId}.jpg`, category: g.category, bbox: g.bbox, score: 1 }));
    await writeFile(join(dir, 'p.json'), JSON.stringify(preds));
    const r = await leukoscan(['eval', '--images', join(BCCD, 'JPEGImages'), '--annotations', BCCD, '--split', split, '--predictions', join(dir, 'p.json'), '--json', join(dir, 'm.json')]);
    expect(r.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'm.json'), 'utf8')).AP).toBe(100);
  });

  it('MISSING ANNOTATIONS - named, exit 66', async () => {
    const r = await leukoscan(['eval', '--images', BCCD, '--annotations', '/nonexistent/ann', '--predictions', '/dev/null']);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('Annotations /nonexistent/ann: not found');
  });

  it('MISSING SPLIT - named, exit 66', async () => {
    const r = await leukoscan(['eval', '--images', BCCD, '--annotations', BCCD, '--split', '/nonexistent/test.txt']);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('Annotations /nonexistent/test.txt: split list not found');
  });

  it('CORRUPT PREDICTIONS - named, exit 1', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'p.json'), '[{"file_name": "a.jpg"}]');
    const r = await leukoscan(['eval', '--images', BCCD, '--annotations', BCCD, '--split', join(BCCD, 'ImageSets/Main/test.txt'), '--predictions', join(dir, 'p.json')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`Predictions ${join(dir, 'p.json')}: not a 'detect --format coco' file`);
  });

  it('MISSING REQUIRED FLAG - usage error (exit 2)', async () => {
    const r = await leukoscan(['eval', '--images', BCCD]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("required option '--annotations <path>' not specified");
  });
});
