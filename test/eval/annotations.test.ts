import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  AnnotationError,
  cocoToAnnotationSet,
  parseVocXml,
  parseYoloYamlNames,
  readAnnotations,
  readSplit,
  vocToGroundTruth,
  yoloToGroundTruth,
} from '../../src/eval/annotations/index.js';
import { recordsToDetections } from '../../src/eval/predictions.js';

import { BCCD_TEST_ROOT, dataAvailable } from '../data.js';

// The BCCD test split: the full one (72 fields) in ../shared/data or LEUKOSCAN_DATA, else the demo slide's (20).
const DATA = BCCD_TEST_ROOT;
const TEST_FIELDS = dataAvailable ? 72 : 20;
const tmp = () => mkdtemp(join(tmpdir(), 'leukoscan-ann-'));

const VOC = `<annotation><filename>img_1.jpg</filename><size><width>640</width><height>480</height><depth>3</depth></size>
<object><name>WBC</name><bndbox><xmin>260</xmin><ymin>177</ymin><xmax>491</xmax><ymax>376</ymax></bndbox></object>
<object><name>Platelet</name><bndbox><xmin>10</xmin><ymin>20</ymin><xmax>30</xmax><ymax>45</ymax></bndbox></object>
<object><name>RBC</name><bndbox><xmin>5</xmin><ymin>5</ymin><xmax>5</xmax><ymax>9</ymax></bndbox></object>
</annotation>`;

describe('annotation readers', () => {
  it('VOC: parses objects; bbox = [xmin, ymin, xmax-xmin, ymax-ymin]; drops degenerate boxes; canonical names', () => {
    const ann = parseVocXml(VOC);
    expect(ann.filename).toBe('img_1.jpg');
    expect([ann.width, ann.height]).toEqual([640, 480]);
    expect(vocToGroundTruth('img_1', ann)).toEqual([
      { imageId: 'img_1', category: 'WBC', bbox: [260, 177, 231, 199] },
      { imageId: 'img_1', category: 'Platelets', bbox: [10, 20, 20, 25] },
    ]);
  });

  it(`VOC: reads BCCD test with its split (${TEST_FIELDS} images, classes RBC/WBC/Platelets)`, async () => {
    const ids = await readSplit(join(DATA, 'bccd/ImageSets/Main/test.txt'));
    const set = await readAnnotations(join(DATA, 'bccd'), join(DATA, 'bccd/JPEGImages'), ids);
    expect(set.format).toBe('voc');
    expect(set.images.size).toBe(TEST_FIELDS);
    expect([...set.categories].sort()).toEqual(['Platelets', 'RBC', 'WBC']);
  });

  it('YOLO: names from data.yaml, normalised cxcywh -> pixels, clipped to the image', () => {
    expect(parseYoloYamlNames("nc: 3\nnames: ['WBC', 'RBC','Platelets']")).toEqual(['WBC', 'RBC', 'Platelets']);
    expect(parseYoloYamlNames('names:\n  0: WBC\n  1: RBC\n')).toEqual(['WBC', 'RBC']);
    expect(parseYoloYamlNames('names:\n  - WBC\n  - RBC\n')).toEqual(['WBC', 'RBC']);
    const g = yoloToGroundTruth('a', '0 0.5 0.5 0.25 0.5\n2 0.0 0.5 0.2 0.2\n', ['WBC', 'RBC', 'Platelet'], 200, 100);
    expect(g).toEqual([
      { imageId: 'a', category: 'WBC', bbox: [75, 25, 50, 50] },
      { imageId: 'a', category: 'Platelets', bbox: [0, 40, 20, 20] },
    ]);
  });

  it('YOLO: reads a folder, sizes from the images', async () => {
    const root = await tmp();
    await mkdir(join(root, 'images'));
    await mkdir(join(root, 'labels'));
    await writeFile(join(root, 'data.yaml'), "names: ['WBC', 'RBC']\n");
    await sharp({ create: { width: 100, height: 50, channels: 3, background: '#fff' } }).jpeg().toFile(join(root, 'images', 'x.jpg'));
    await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } }).jpeg().toFile(join(root, 'images', 'empty.jpg'));
    await writeFile(join(root, 'labels', 'x.txt'), '1 0.5 0.5 0.2 0.4\n');
    const set = await readAnnotations(join(root, 'labels'), join(root, 'images'));
    expect(set.format).toBe('yolo');
    expect([...set.images.keys()].sort()).toEqual(['empty', 'x']);
    expect(set.boxes).toEqual([{ imageId: 'x', category: 'RBC', bbox: [40, 15, 20, 20] }]);
  });

  it('COCO: maps ids to file stems and category ids to names, keeps area and iscrowd', () => {
    const set = cocoToAnnotationSet(
      {
        images: [{ id: 7, file_name: 'sub/a.png' }],
        categories: [{ id: 1, name: 'EOSINOPHIL' }],
        annotations: [{ image_id: 7, category_id: 1, bbox: [1, 2, 3, 4], area: 11, iscrowd: 0 }],
      },
      'gt.json',
    );
    expect(set.images.get('a')).toBe('a.png');
    expect(set.boxes).toEqual([{ imageId: 'a', category: 'EOS', bbox: [1, 2, 3, 4], area: 11, iscrowd: false }]);
  });

  it('--merge-wbc: types become WBC, and one query scored for two types collapses to its best score', () => {
    const d = recordsToDetections(
      [
        { file_name: 'a.jpg', category: 'NEU', bbox: [1, 2, 3, 4], score: 0.4 },
        { file_name: 'a.jpg', category: 'LYM', bbox: [1, 2, 3, 4], score: 0.7 },
        { file_name: 'a.jpg', category: 'RBC', bbox: [1, 2, 3, 4], score: 0.2 },
        { file_name: 'a.jpg', category: 'EOS', bbox: [9, 9, 3, 4], score: 0.1 },
      ],
      { mergeWbc: true },
    );
    expect(d.map((x) => [x.category, x.score])).toEqual([
      ['WBC', 0.7],
      ['RBC', 0.2],
      ['WBC', 0.1],
    ]);
  });

  it('MISSING ANNOTATIONS - names the path', async () => {
    const p = join(await tmp(), 'nope');
    await expect(readAnnotations(p, p)).rejects.toThrow(`Annotations ${p}: not found`);
  });

  it('CORRUPT VOC XML - truncated file is named', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'a.xml'), VOC.slice(0, 200));
    const err = (await readAnnotations(dir, dir).catch((e: unknown) => e)) as Error;
    expect(err).toBeInstanceOf(AnnotationError);
    expect(err.message).toBe(`Annotations ${join(dir, 'a.xml')}: malformed VOC annotation (truncated: no closing </annotation>)`);
  });

  it('SPLIT LISTS A MISSING IMAGE - names the annotation file', async () => {
    const dir = await tmp();
    await writeFile(join(dir, 'a.xml'), VOC);
    await expect(readAnnotations(dir, dir, ['a', 'b'])).rejects.toThrow(`Annotations ${join(dir, 'b.xml')}: not found (listed in the split but missing)`);
  });

  it('MALFORMED YOLO ROW - names the label file and line', async () => {
    const root = await tmp();
    await mkdir(join(root, 'images'));
    await mkdir(join(root, 'labels'));
    await writeFile(join(root, 'labels', 'classes.txt'), 'WBC\n');
    await sharp({ create: { width: 10, height: 10, channels: 3, background: '#fff' } }).png().toFile(join(root, 'images', 'x.png'));
    await writeFile(join(root, 'labels', 'x.txt'), '0 0.5 0.5\n');
    await expect(readAnnotations(join(root, 'labels'), join(root, 'images'))).rejects.toThrow(
      `Annotations ${join(root, 'labels', 'x.txt')}: line 1: malformed row '0 0.5 0.5'`,
    );
  });

  it('NOT COCO - a JSON file of the wrong shape is named', async () => {
    const f = join(await tmp(), 'gt.json');
    await writeFile(f, '{"images": 3}');
    await expect(readAnnotations(f, f)).rejects.toThrow(new RegExp(`^Annotations ${f}: not a COCO annotation file`));
  });

  it('EMPTY SPLIT - named', async () => {
    const f = join(await tmp(), 'split.txt');
    await writeFile(f, '\n\n');
    await expect(readSplit(f)).rejects.toThrow(`Annotations ${f}: split list is empty`);
  });
});
