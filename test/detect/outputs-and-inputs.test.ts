import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { DetectionsXyxyPixels } from '../../src/core/detections.js';
import { listImageInputs } from '../../src/cli/image-inputs.js';
import { toCocoRecords, toJsonlRecord } from '../../src/detect/output-formats.js';
import { overlaySvg } from '../../src/cli/overlay.js';
import { progressBar } from '../../src/cli/progress.js';

const det: DetectionsXyxyPixels = {
  kind: 'xyxy-pixels',
  imageWidth: 640,
  imageHeight: 480,
  boxes: Float32Array.of(10, 20, 110.123, 70.5, 0, 0, 5, 5),
  scores: Float32Array.of(0.912345678, 0.5),
  classIds: Int32Array.of(1, 6),
  classNames: ['NEU', 'LYM', 'MON', 'EOS', 'BAS', 'RBC', 'Platelets'],
};

describe('detect outputs', () => {
  it('COCO records: base file name, class name from the card, bbox [x, y, w, h] in pixels', () => {
    expect(toCocoRecords('/some/dir/img 1.jpg', det)).toEqual([
      { file_name: 'img 1.jpg', category: 'LYM', bbox: [10, 20, 100.12, 50.5], score: 0.91235 },
      { file_name: 'img 1.jpg', category: 'Platelets', bbox: [0, 0, 5, 5], score: 0.5 },
    ]);
  });

  it('JSONL record: one per image with its size', () => {
    const r = toJsonlRecord('a.png', det);
    expect(r).toMatchObject({ file_name: 'a.png', width: 640, height: 480 });
    expect(r.detections).toHaveLength(2);
  });

  it('overlay SVG: image-sized, one rect per detection, colour per class, names escaped', () => {
    const svg = overlaySvg({ ...det, classNames: ['<A&>', 'B<', 'C', 'D', 'E', 'F', 'G'] });
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg" width="640" height="480">/);
    expect(svg.match(/<rect /g)).toHaveLength(2);
    expect(svg).toContain('B&#60; 0.91');
    const colours = [...svg.matchAll(/stroke="(#[0-9a-f]{6})"/g)].map((m) => m[1]);
    expect(new Set(colours).size).toBe(2);
  });
});

describe('listImageInputs', () => {
  it('expands directories to their images in name order, keeps files as given, reports missing paths and empty directories', async () => {
    const root = await mkdtemp(join(tmpdir(), 'leukoscan-inputs-'));
    await mkdir(join(root, 'imgs'));
    await mkdir(join(root, 'empty'));
    await writeFile(join(root, 'imgs', 'b.JPG'), '');
    await writeFile(join(root, 'imgs', 'a.png'), '');
    await writeFile(join(root, 'imgs', 'notes.txt'), '');
    await writeFile(join(root, 'empty', 'readme.md'), '');
    await writeFile(join(root, 'single.weird'), '');
    const r = await listImageInputs([join(root, 'imgs'), join(root, 'single.weird'), join(root, 'nope.jpg'), join(root, 'empty')]);
    expect(r.files).toEqual([join(root, 'imgs', 'a.png'), join(root, 'imgs', 'b.JPG'), join(root, 'single.weird')]);
    expect(r.problems.map((p) => p.message)).toEqual([`Input ${join(root, 'nope.jpg')}: not found`, expect.stringMatching(new RegExp(`^Directory ${join(root, 'empty')}: no images`))]);
  });
});

describe('progressBar', () => {
  it('is silent when stderr is not a TTY', () => {
    const stream = new PassThrough() as unknown as NodeJS.WriteStream;
    let written = '';
    (stream as unknown as PassThrough).on('data', (d: Buffer) => (written += d.toString()));
    const p = progressBar(10, 'x', stream);
    p.tick();
    p.stop();
    expect(written).toBe('');
  });

  it('draws on a TTY', async () => {
    const pt = new PassThrough();
    let written = '';
    pt.on('data', (d: Buffer) => (written += d.toString()));
    const stream = Object.assign(pt, { isTTY: true, columns: 80, cursorTo: () => true, clearLine: () => true, moveCursor: () => true }) as unknown as NodeJS.WriteStream;
    const p = progressBar(10, 'detect', stream);
    p.tick();
    p.stop();
    expect(written).toContain('detect [');
  });
});
