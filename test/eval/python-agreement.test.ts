/**
 * The TS evaluator against training/'s Python evaluator (pycocotools rules in
 * numpy; `python3 -m training.evaluate --predictions`), on identical
 * predictions over BCCD test: they must agree within 0.1 AP. The test split is the full one
 * (72 fields) with ../shared/data or LEUKOSCAN_DATA, else the demo slide's 20 test fields (demo/).
 *
 * The predictions are synthetic (seeded jitter of the ground truth, misses,
 * false positives, leukocyte types to merge) so that AP lands mid-range where
 * disagreements would show; no model is needed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runEval } from '../../src/cli/commands/eval.js';
import { readVoc, readSplit } from '../../src/eval/annotations/index.js';
import type { CocoDetectionRecord } from '../../src/detect/output-formats.js';
import { createRng } from '../../src/sim/rng.js';
import { BCCD_TEST_ROOT } from '../data.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const DATA = BCCD_TEST_ROOT;
const BCCD = join(DATA, 'bccd');
const PY = '/usr/bin/python3';
const TOLERANCE = 0.1; // AP points

/** Seeded PRNG (the simulator's mulberry32): the same values every run. */
const rng = (seed: number): (() => number) => createRng(seed).next;

async function syntheticPredictions(seed: number): Promise<CocoDetectionRecord[]> {
  const r = rng(seed);
  const ids = await readSplit(join(BCCD, 'ImageSets/Main/test.txt'));
  const set = await readVoc(BCCD, ids);
  const types = ['NEU', 'LYM', 'MON', 'EOS', 'BAS'];
  const out: CocoDetectionRecord[] = [];
  const round2 = (v: number) => Math.round(v * 100) / 100;
  for (const g of set.boxes) {
    if (r() < 0.15) continue; // missed
    const [x, y, w, h] = g.bbox;
    const j = 0.25 * r(); // jitter up to 25% of the size
    const cat = g.category === 'WBC' ? types[Math.floor(r() * types.length)] : g.category;
    out.push({
      file_name: `${g.imageId}.jpg`,
      category: cat,
      bbox: [round2(x + (r() - 0.5) * j * w), round2(y + (r() - 0.5) * j * h), round2(w * (1 + (r() - 0.5) * j)), round2(h * (1 + (r() - 0.5) * j))],
      score: round2(0.3 + 0.7 * r()),
    });
    if (r() < 0.1) out.push({ ...out[out.length - 1], bbox: [round2(x + 5), round2(y + 5), round2(w * 0.8), round2(h * 0.8)], score: round2(r() * 0.5) });
  }
  for (const id of ids) {
    for (let k = 0; k < 4; k++) {
      const w = 20 + r() * 150;
      const h = 20 + r() * 150;
      out.push({ file_name: `${id}.jpg`, category: ['RBC', 'Platelets', 'NEU'][k % 3], bbox: [round2(r() * 500), round2(r() * 350), round2(w), round2(h)], score: round2(r() * 0.6) });
    }
  }
  return out;
}

function pythonEvaluate(predictions: string): Record<string, number> {
  const res = spawnSync('nice', ['-n', '15', PY, '-m', 'training.evaluate', '--predictions', predictions, '--merge-wbc', '--data', DATA, '--threads', '1'], {
    cwd: REPO,
    encoding: 'utf8',
    timeout: 300_000,
  });
  if (res.status !== 0) throw new Error(`python -m training.evaluate failed (${res.status}): ${res.stderr}`);
  const last = res.stdout.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as Record<string, number>;
}

describe('TS evaluator agrees with training/evaluate.py (within 0.1 AP)', () => {
  it('has its inputs', () => {
    expect(existsSync(join(BCCD, 'Annotations')), `BCCD data missing at ${BCCD}`).toBe(true);
    expect(existsSync(join(REPO, 'training', 'evaluate.py')), 'training/evaluate.py missing').toBe(true);
  });

  for (const seed of [1, 2]) {
    it(`BCCD test, --merge-wbc, synthetic predictions seed ${seed}`, async () => {
      const dir = await mkdtemp(join(tmpdir(), 'leukoscan-agree-'));
      const predictions = join(dir, 'preds.json');
      const metrics = join(dir, 'ts.json');
      await writeFile(predictions, JSON.stringify(await syntheticPredictions(seed)));
      const write = process.stdout.write.bind(process.stdout);
      process.stdout.write = (() => true) as typeof process.stdout.write; // keep the table out of the test log
      let code: number;
      try {
        code = await runEval({
          images: join(BCCD, 'JPEGImages'),
          annotations: BCCD,
          split: join(BCCD, 'ImageSets/Main/test.txt'),
          mergeWbc: true,
          predictions,
          model: 'unused',
          device: 'cpu',
          scoreThreshold: 0,
          json: metrics,
        });
      } finally {
        process.stdout.write = write;
      }
      expect(code).toBe(0);
      const ts = JSON.parse(await readFile(metrics, 'utf8')) as Record<string, number>;
      const py = pythonEvaluate(predictions);
      // mid-range AP, so the comparison means something
      expect(ts.AP).toBeGreaterThan(10);
      expect(ts.AP).toBeLessThan(90);
      for (const key of ['AP', 'AP50', 'AP75', 'APs', 'APm', 'APl', 'AP/RBC', 'AP/WBC', 'AP/Platelets']) {
        expect(py[key], `python lacks ${key}`).toBeDefined();
        expect(Math.abs(ts[key] - py[key]), `${key}: ts ${ts[key]} vs python ${py[key]}`).toBeLessThanOrEqual(TOLERANCE);
      }
    }, 300_000);
  }
});
