import { copyFile, mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { leukoscan } from './cli-helpers.js';
import { TINY_MODEL, tinyModelCopy } from '../detect/helpers.js';
import { bccdImage, DEMO_DATA } from '../data.js';

// Any real BCCD fields do: the demo slide's (demo/), so a clone without ../shared/data runs these.
const IMG = (n: string) => bccdImage(`BloodImage_${n}`, DEMO_DATA);
const tmp = () => mkdtemp(join(tmpdir(), 'leukoscan-cli-'));

/** Two good BCCD images and one truncated copy. */
async function imagesDir(): Promise<string> {
  const dir = await tmp();
  await copyFile(IMG('00007'), join(dir, 'a.jpg'));
  await copyFile(IMG('00015'), join(dir, 'b.jpg'));
  const bytes = await readFile(IMG('00021'));
  await writeFile(join(dir, 'c-truncated.jpg'), bytes.subarray(0, bytes.length / 3));
  return dir;
}

describe('leukoscan detect (tiny fixture model: the numbers are meaningless, the plumbing is not)', () => {
  it('--help exits 0 and shows the formats', async () => {
    const r = await leukoscan(['detect', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--format <format>');
    expect(r.stdout).toContain('--overlay <dir>');
  });

  it('writes a COCO JSON array {file_name, category, bbox [x,y,w,h], score}; a truncated image is named and the rest processed (exit 3)', async () => {
    const dir = await imagesDir();
    const out = join(dir, 'out.json');
    const r = await leukoscan(['detect', dir, '--model', TINY_MODEL, '--device', 'cpu', '--score-threshold', '0.5', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`Image ${join(dir, 'c-truncated.jpg')}: cannot be decoded`);
    const recs = JSON.parse(await readFile(out, 'utf8')) as { file_name: string; category: string; bbox: number[]; score: number }[];
    expect(recs.length).toBeGreaterThan(0);
    expect(new Set(recs.map((x) => x.file_name))).toEqual(new Set(['a.jpg', 'b.jpg']));
    for (const x of recs) {
      expect(['NEU', 'LYM', 'MON', 'EOS', 'BAS', 'RBC', 'Platelets']).toContain(x.category);
      expect(x.bbox).toHaveLength(4);
      expect(x.score).toBeGreaterThanOrEqual(0.5);
    }
  });

  it('--format jsonl writes one line per image, failures included as {file_name, error}', async () => {
    const dir = await imagesDir();
    const r = await leukoscan(['detect', join(dir, 'a.jpg'), join(dir, 'c-truncated.jpg'), '--model', TINY_MODEL, '--device', 'cpu', '--format', 'jsonl']);
    expect(r.code).toBe(3);
    const lines = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatchObject({ file_name: 'a.jpg', width: 640, height: 480 });
    expect(lines[1].file_name).toBe('c-truncated.jpg');
    expect(String(lines[1].error)).toContain('cannot be decoded');
  });

  it('--overlay writes an annotated copy of each image', async () => {
    const dir = await imagesDir();
    const ov = join(dir, 'overlay');
    const r = await leukoscan(['detect', join(dir, 'a.jpg'), '--model', TINY_MODEL, '--device', 'cpu', '--overlay', ov, '--out', join(dir, 'o.json')]);
    expect(r.code).toBe(0);
    expect(await readdir(ov)).toEqual(['a.jpg']);
  });

  it('EMPTY DIRECTORY - named, exit 66', async () => {
    const dir = await tmp();
    await mkdir(join(dir, 'empty'));
    const r = await leukoscan(['detect', join(dir, 'empty'), '--model', TINY_MODEL]);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain(`Directory ${join(dir, 'empty')}: no images`);
  });

  it('MISSING MODEL - named, exit 1', async () => {
    const r = await leukoscan(['detect', IMG('00007'), '--model', '/nonexistent/m.onnx']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Model /nonexistent/m.onnx: not found');
  });

  it('CORRUPT CARD - named, exit 1', async () => {
    const model = await tinyModelCopy((c) => {
      c.std = [0, 1, 1];
    });
    const r = await leukoscan(['detect', IMG('00007'), '--model', model]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/Model card .*model\.json: invalid card: std/);
  });

  it('UNWRITABLE OUTPUT - named, exit 1, before the model loads', async () => {
    const r = await leukoscan(['detect', IMG('00007'), '--model', TINY_MODEL, '--out', '/nonexistent/dir/out.json']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Output /nonexistent/dir/out.json: cannot be written (ENOENT)');
  });

  it('BAD FLAG - a score threshold outside [0, 1] is a usage error (exit 2)', async () => {
    const r = await leukoscan(['detect', IMG('00007'), '--score-threshold', '7']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must be a number in [0, 1]');
  });
});
