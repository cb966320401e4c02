/**
 * Issue 25 item 6: one malformed annotation file among good ones is named and skipped; the rest are
 * evaluated and `eval` exits 3 ("some inputs failed"), not 66.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/exit-codes.js';
import { readAnnotations } from '../../src/eval/annotations/index.js';
import { leukoscan } from '../cli/cli-helpers.js';

const voc = (file: string) => `<annotation><filename>${file}</filename><size><width>100</width><height>100</height><depth>3</depth></size>
<object><name>WBC</name><bndbox><xmin>10</xmin><ymin>10</ymin><xmax>50</xmax><ymax>50</ymax></bndbox></object></annotation>`;

async function vocFolder(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'leukoscan-badann-'));
  await writeFile(join(dir, 'a.xml'), voc('a.jpg'));
  await writeFile(join(dir, 'b.xml'), voc('b.jpg').slice(0, 120)); // cut short
  await writeFile(join(dir, 'c.xml'), voc('c.jpg'));
  return dir;
}

describe('MALFORMED ANNOTATION among good ones', () => {
  it('the reader keeps the good images and names the bad file with the reason', async () => {
    const dir = await vocFolder();
    const set = await readAnnotations(dir, dir);
    expect([...set.images.keys()]).toEqual(['a', 'c']);
    expect(set.skipped).toEqual([{ file: join(dir, 'b.xml'), reason: 'malformed VOC annotation (truncated: no closing </annotation>)' }]);
  });

  it('eval evaluates the rest, names the bad file and exits 3', async () => {
    const dir = await vocFolder();
    const preds = ['a', 'c'].map((id) => ({ file_name: `${id}.jpg`, category: 'WBC', bbox: [10, 10, 40, 40], score: 1 }));
    await writeFile(join(dir, 'p.json'), JSON.stringify(preds));
    const r = await leukoscan(['eval', '--images', dir, '--annotations', dir, '--predictions', join(dir, 'p.json'), '--json', join(dir, 'm.json')]);
    expect(r.code, r.stderr).toBe(EXIT.PARTIAL);
    expect(r.stderr).toContain(`leukoscan eval: Annotations ${join(dir, 'b.xml')}: malformed VOC annotation (truncated: no closing </annotation>); skipped, the other 2 images are evaluated`);
    expect(r.stdout).toContain('on 2 images');
  });
});
