import { copyFile, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ProfileError, readProfile } from '../../src/cli/calibration-options.js';
import { testProfile } from '../detect/profile-fixture.js';
import { TINY_MODEL } from '../detect/helpers.js';
import { leukoscan } from './cli-helpers.js';
import { bccdImage, DEMO_DATA } from '../data.js';

// A real BCCD field and split: the demo slide's (demo/), so a clone without ../shared/data runs these.
const DATA = DEMO_DATA;
const IMG = bccdImage('BloodImage_00007', DEMO_DATA);
const tmp = () => mkdtemp(join(tmpdir(), 'leukoscan-cal-'));

const PROFILE = testProfile();

async function rejection(p: Promise<unknown>): Promise<ProfileError> {
  try {
    await p;
  } catch (err) {
    return err as ProfileError;
  }
  throw new Error('expected a rejection');
}

describe('readProfile', () => {
  it('reads a valid profile', async () => {
    const f = join(await tmp(), 'p.json');
    await writeFile(f, JSON.stringify(PROFILE));
    expect(await readProfile(f)).toEqual(PROFILE);
  });
  it('MISSING PROFILE - names the file, exit 66', async () => {
    const e = await rejection(readProfile('/nonexistent/cam.json'));
    expect(e.message).toMatch(/^Device profile \/nonexistent\/cam\.json: not found/);
    expect(e.exitCode).toBe(66);
  });
  // a broken file -> the message the user sees (exit 2)
  const bad: { name: string; text: string; message: RegExp }[] = [
    { name: 'not JSON', text: '{"version": 1,', message: /: not valid JSON/ },
    { name: 'another version', text: JSON.stringify({ ...PROFILE, version: 2 }), message: /invalid profile: version/ },
    { name: 'no scale', text: JSON.stringify({ ...PROFILE, scale: undefined }), message: /invalid profile: scale/ },
    { name: 'a negative frame size', text: JSON.stringify({ ...PROFILE, frameSize: { width: -1, height: 480 } }), message: /frameSize\.width/ },
    { name: 'an unknown field kind', text: JSON.stringify({ ...PROFILE, field: { kind: 'hexagon' } }), message: /field/ },
    { name: 'two gains', text: JSON.stringify({ ...PROFILE, colour: { wbGains: [1, 1], stain: null } }), message: /colour\.wbGains/ },
  ];
  for (const b of bad) {
    it(`BAD PROFILE - ${b.name}: names the file, exit 2`, async () => {
      const f = join(await tmp(), 'bad.json');
      await writeFile(f, b.text);
      const e = await rejection(readProfile(f));
      expect(e.message.startsWith(`Device profile ${f}: `)).toBe(true);
      expect(e.message).toMatch(b.message);
      expect(e.exitCode).toBe(2);
    });
  }
});

describe('leukoscan detect: calibration flags (tiny fixture model)', () => {
  it('MISSING PROFILE - exit 66 naming the file, before the model loads', async () => {
    const r = await leukoscan(['detect', IMG, '--model', 'models/none.onnx', '--profile', '/nonexistent/cam.json']);
    expect(r.code).toBe(66);
    expect(r.stderr).toContain('leukoscan detect: Device profile /nonexistent/cam.json: not found');
  });
  it('BAD PROFILE - exit 2 naming the file', async () => {
    const f = join(await tmp(), 'bad.json');
    await writeFile(f, '[]');
    const r = await leukoscan(['detect', IMG, '--model', TINY_MODEL, '--profile', f]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`Device profile ${f}: invalid profile: `);
  });
  it('BAD FLAG - --um-per-px must be positive (exit 2)', async () => {
    const r = await leukoscan(['detect', IMG, '--um-per-px', '-1']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('must be a positive number of micrometres per pixel');
  });
  it('--um-per-px overrides the scale: the run says so, boxes stay in the image', async () => {
    const dir = await tmp();
    await copyFile(IMG, join(dir, 'a.jpg'));
    const out = join(dir, 'out.jsonl');
    // 0.147 µm/px: red cells 51 px, half BCCD's: the image is enlarged 2x and tiled
    const r = await leukoscan(['detect', join(dir, 'a.jpg'), '--model', TINY_MODEL, '--device', 'cpu', '--um-per-px', '0.147', '--format', 'jsonl', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('calibration auto: scale 0.1470 µm/px (--um-per-px)');
    const line = JSON.parse((await readFile(out, 'utf8')).trim()) as { detections: { bbox: number[] }[] };
    for (const d of line.detections) {
      expect(d.bbox[0]).toBeGreaterThanOrEqual(0);
      expect(d.bbox[0] + d.bbox[2]).toBeLessThanOrEqual(640.01);
      expect(d.bbox[1] + d.bbox[3]).toBeLessThanOrEqual(480.01);
    }
  });
  it('--help lists the three options', async () => {
    const r = await leukoscan(['detect', '--help']);
    expect(r.stdout).toContain('--calibration <mode>');
    expect(r.stdout).toContain('--profile <file>');
    expect(r.stdout).toContain('--um-per-px <x>');
  });
});

describe('run, count, serve, eval: a bad or missing profile is refused before anything starts', () => {
  // command line -> exit code and the message naming the file
  const rows: { name: string; args: (bad: string) => string[]; code: number; message: (bad: string) => string }[] = [
    { name: 'run, missing', args: () => ['run', '--source', 'test:testsrc2', '--profile', '/nonexistent/cam.json'], code: 66, message: () => 'leukoscan run: Device profile /nonexistent/cam.json: not found' },
    { name: 'count, invalid', args: (bad) => ['count', IMG, '--model', TINY_MODEL, '--profile', bad], code: 2, message: (bad) => `leukoscan count: Device profile ${bad}: invalid profile` },
    { name: 'serve, invalid', args: (bad) => ['serve', '--no-store', '--port', '0', '--profile', bad], code: 2, message: (bad) => `leukoscan serve: Device profile ${bad}: invalid profile` },
    { name: 'eval, missing', args: () => ['eval', '--images', join(DATA, 'bccd/JPEGImages'), '--annotations', join(DATA, 'bccd'), '--split', join(DATA, 'bccd/ImageSets/Main/test.txt'), '--profile', '/nonexistent/cam.json'], code: 66, message: () => 'leukoscan eval: Device profile /nonexistent/cam.json: not found' },
  ];
  for (const r of rows) {
    it(`BAD PROFILE - ${r.name}: exit ${r.code}`, async () => {
      const bad = join(await tmp(), 'bad.json');
      await writeFile(bad, JSON.stringify({ version: 1 }));
      const res = await leukoscan(r.args(bad));
      expect(res.code, res.stderr).toBe(r.code);
      expect(res.stderr).toContain(r.message(bad));
    });
  }
});
